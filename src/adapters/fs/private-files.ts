import {
  chmodSync,
  closeSync,
  type Dirent,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  type Stats,
  statSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';

/**
 * Told about a file or folder that stays open to other users, in a sentence that says how to fix it.
 * A warning, never an error: a store that others can read is worse than one only we can read, but
 * better than a daemon that does not start.
 */
export type PermissionWarning = (message: string) => void;

/** The mode bits that let anyone but the owner in. */
const OTHERS = 0o077;
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIRECTORY_MODE = 0o700;

/** Windows has no Unix modes to speak of (chmod only toggles read-only), so there is nothing to do. */
const HAS_MODES = process.platform !== 'win32' && typeof process.getuid === 'function';

/**
 * `mkdir -p` that always ends. Node's own (`mkdirSync(dir, { recursive: true })`, Node 20) spins for
 * ever, blocking the event loop and so every signal, where a folder can be neither found nor made: a
 * path under /proc, or a relative path when the working folder was deleted under a running daemon
 * (seen: a daemon at 100% CPU that ignored SIGTERM). Here each missing folder is made once, from
 * the top, and the first failure is thrown. Returns the first folder it made, as mkdirSync does.
 */
export function makeDirectories(dir: string, mode: number): string | undefined {
  const missing: string[] = [];
  for (let folder = resolve(dir); !existsSync(folder); folder = dirname(folder)) {
    missing.push(folder);
    if (dirname(folder) === folder) break;
  }
  let first: string | undefined;
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder, { mode });
      first ??= folder;
    } catch (error) {
      // Made meanwhile by someone else (another quotecast starting): fine.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return first;
}

export const warnOnStderr: PermissionWarning = (message) =>
  process.emitWarning(message, { code: 'QUOTECAST_PERMISSIONS' });

/**
 * Creates `path` empty with mode 0600 when nothing is there, so a file that will hold secrets is never
 * readable by others, not even for the moment between its creation and a chmod. SQLite takes an empty
 * file as a new database. Returns false when something was already there.
 */
export function createPrivateFile(path: string): boolean {
  try {
    closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Makes an existing file 0600 when group or others may use it. A missing file is fine (SQLite makes
 * its side files lazily, copying the database file's mode). A file that belongs to another user is
 * left as it is, even when we run as root: we never change another user's files, we say so.
 */
export function makeFilePrivate(path: string, warn: PermissionWarning): void {
  if (!HAS_MODES) return;
  const stat = statOrUndefined(path);
  if (stat === undefined || (stat.mode & OTHERS) === 0) return;
  const mode = octal(stat.mode);
  if (stat.uid !== process.getuid?.()) {
    warn(
      `${path} is readable by other users (mode ${mode}) and belongs to another user (uid ${stat.uid}), so ` +
        `quotecast left it as it is: run quotecast as that user, or have them run chmod 600 ${path}`,
    );
    return;
  }
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } catch (error) {
    warn(
      `${path} is readable by other users (mode ${mode}) and quotecast could not make it private ` +
        `(${codeOf(error)}): run chmod 600 ${path}`,
    );
  }
}

/**
 * Makes sure `dir` exists and only its owner may enter it: created 0700 when missing; an existing
 * one that group or others may enter is tightened to 0700 when it is a folder of quotecast's own. A
 * folder that also serves other things (it holds sub-folders, is the working or home directory, the
 * root, a sticky folder such as /tmp, or belongs to someone else) is left as it is with a warning:
 * closing it would lock others out of what is not ours.
 */
export function ensurePrivateDirectory(dir: string, warn: PermissionWarning): void {
  const created = makeDirectories(dir, PRIVATE_DIRECTORY_MODE);
  if (!HAS_MODES) return;
  const stat = statSync(dir);
  if ((stat.mode & OTHERS) === 0) return;
  const mode = octal(stat.mode);
  const notOurs = created === undefined ? sharedFolderReason(dir, stat) : undefined;
  if (notOurs !== undefined) {
    warn(
      `folder ${dir} is open to other users (mode ${mode}) and quotecast left it as it is because ${notOurs}: ` +
        `move the store and the outbox into a folder of their own (such as data/), or run chmod 700 ${dir}`,
    );
    return;
  }
  try {
    chmodSync(dir, PRIVATE_DIRECTORY_MODE);
  } catch (error) {
    warn(
      `folder ${dir} is open to other users (mode ${mode}) and quotecast could not close it (${codeOf(error)}): ` +
        `run chmod 700 ${dir}`,
    );
  }
}

/** Why `dir` is not quotecast's own folder to close, or undefined when it is. */
function sharedFolderReason(dir: string, stat: Stats): string | undefined {
  if (stat.uid !== process.getuid?.()) return `it belongs to another user (uid ${stat.uid})`;
  if ((stat.mode & 0o1000) !== 0) return 'it is a shared folder (sticky bit, like /tmp)';
  const full = resolve(dir);
  for (const [name, other] of [
    ['the working directory', process.cwd()],
    ['the home directory', homedir()],
  ] as const) {
    if (other !== '' && isSameOrAncestor(full, resolve(other))) return `it is ${name} or holds it`;
  }
  if (dirname(full) === full) return 'it is the root folder';
  let entries: Dirent[];
  try {
    entries = readdirSync(full, { withFileTypes: true });
  } catch {
    return undefined;
  }
  const folder = entries.find((entry) => entry.isDirectory());
  return folder ? `it holds other folders (${folder.name}), so it is not quotecast's alone` : undefined;
}

function isSameOrAncestor(candidate: string, of: string): boolean {
  let current = of;
  for (;;) {
    if (current === candidate) return true;
    const parent = dirname(current);
    if (parent === current) return false;
    current = parent;
  }
}

/**
 * What is wrong with `path`'s mode, or undefined when only its owner may use it (or it is missing):
 * "data/quotecast.db is readable by other users (mode 0644)". For reports such as `status`.
 */
export function describeExposure(path: string): string | undefined {
  if (!HAS_MODES) return undefined;
  const stat = statOrUndefined(path);
  if (stat === undefined || (stat.mode & OTHERS) === 0) return undefined;
  const what = stat.isDirectory() ? `folder ${path} is open to` : `${path} is readable by`;
  return `${what} other users (mode ${octal(stat.mode)})`;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

function codeOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (error instanceof Error ? error.message : String(error));
}
