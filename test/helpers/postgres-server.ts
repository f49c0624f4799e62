import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import pg from 'pg';

/**
 * A throwaway PostgreSQL server for tests: its own data directory under the system temp dir, its own
 * loopback port, trust authentication for the `postgres` superuser. Nothing of the machine's own
 * PostgreSQL (service, cluster, config) is used, only its binaries.
 */
export interface PostgresServer {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:PORT/postgres — the superuser on the maintenance database. */
  readonly adminUrl: string;
  /** a new empty database, its URL */
  createDatabase(name?: string): Promise<string>;
  /** Fast shutdown (SIGINT; SIGKILL after 10 s), then removes the data directory. Safe to call twice. */
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'install PostgreSQL: apt-get install postgresql (Debian), or set QUOTECAST_PG_BIN to the directory holding initdb and postgres';

const READY_TIMEOUT_MS = 30_000;
const POLL_MS = 25;
const STOP_TIMEOUT_MS = 10_000;
const BIND_ATTEMPTS = 5;
const LOG_LINES = 60;
/** sun_path is 108 bytes on Linux; a longer socket path makes postgres refuse to start. */
const MAX_SOCKET_PATH = 100;

/** True when initdb and postgres were found (QUOTECAST_PG_BIN, /usr/lib/postgresql/<version>/bin or PATH). */
export function postgresAvailable(): boolean {
  return findPgBin() !== undefined;
}

/** Starts a fresh server: initdb into a new temp directory, then postgres on a free 127.0.0.1 port. */
export async function startPostgres(options: { log?: boolean } = {}): Promise<PostgresServer> {
  const bin = findPgBin();
  if (bin === undefined) {
    throw new Error(
      `PostgreSQL server binaries (initdb, postgres) not found in $QUOTECAST_PG_BIN, /usr/lib/postgresql/*/bin or PATH: ${INSTALL_HINT}`,
    );
  }
  const log = options.log === true;
  const runAs = serverUser();
  const base = mkdtempSync(join(tmpdir(), 'quotecast-pg-'));
  const dataDir = join(base, 'data');
  // The watchdog removes `base` (and stops the server) if this process dies without stop(): see below.
  const watchdog = startWatchdog(base);
  try {
    if (runAs !== undefined) {
      chownSync(base, runAs.uid, runAs.gid);
      assertReachable(base, runAs);
    }
    const env = childEnv();
    const initdbStarted = performance.now();
    await runInitdb(bin, dataDir, base, runAs, env);
    const initdbMs = performance.now() - initdbStarted;

    const socketDir = join(base, '.s.PGSQL.65535').length <= MAX_SOCKET_PATH ? base : '';
    const logTail = new LogTail();
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const startStarted = performance.now();
      const child = spawn(
        join(bin, 'postgres'),
        [
          '-D',
          dataDir,
          '-k',
          socketDir,
          '-p',
          String(port),
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
          '-c',
          'max_connections=200',
        ],
        { cwd: base, env, stdio: ['ignore', 'pipe', 'pipe'], ...asUser(runAs) },
      );
      const attemptLog = new LogTail();
      const onData = (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        logTail.push(text);
        attemptLog.push(text);
        if (log) process.stderr.write(prefixLines(`[postgres:${port}] `, text));
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      const gone = childGone(child);
      if (child.pid !== undefined) watchdog.watch(child.pid);
      live.add(child);
      installExitHook();
      // The server must not keep a test process alive on its own; stop() or the exit hooks end it.
      child.unref();
      (child.stdout as Socket | null)?.unref();
      (child.stderr as Socket | null)?.unref();

      const outcome = await waitReady(port, new Set([dataDir, realpathSync(dataDir)]), gone);
      if (outcome === 'ready') {
        if (log) {
          process.stderr.write(
            `[postgres:${port}] initdb ${Math.round(initdbMs)} ms, start ${Math.round(performance.now() - startStarted)} ms\n`,
          );
        }
        return serverHandle(port, child, base, watchdog, logTail);
      }
      if (outcome === 'exited' && /could not bind/i.test(attemptLog.text()) && attempt < BIND_ATTEMPTS) {
        live.delete(child);
        continue; // another process took the port between freePort() and postgres binding it
      }
      await stopChild(child);
      live.delete(child);
      const why =
        outcome === 'exited'
          ? `postgres exited during startup (${describeExit(child)})`
          : `postgres did not accept connections within ${READY_TIMEOUT_MS / 1000} s`;
      throw new Error(`${why}; port ${port}, data directory ${dataDir}. Log tail:\n${logTail.text()}`);
    }
  } catch (error) {
    rmSync(base, { recursive: true, force: true });
    watchdog.dismiss();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// The server handle

let databaseCounter = 0;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function serverHandle(
  port: number,
  child: ChildProcess,
  base: string,
  watchdog: Watchdog,
  logTail: LogTail,
): PostgresServer {
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopping: Promise<void> | undefined;
  return {
    port,
    adminUrl,
    createDatabase: (name) => createDatabaseOn(adminUrl, name, () => logTail.text()),
    stop() {
      stopping ??= (async () => {
        await stopChild(child);
        live.delete(child);
        await rm(base, { recursive: true, force: true, maxRetries: 3 });
        watchdog.dismiss();
      })();
      return stopping;
    },
  };
}

/**
 * A new empty database on the server of `adminUrl` (a unique name unless one is given), its URL.
 * `logTail`: the server's last lines, for the error when it fails.
 */
export async function createDatabaseOn(
  adminUrl: string,
  name?: string,
  logTail?: () => string,
): Promise<string> {
  const dbName = name ?? `qc_${process.pid}_${++databaseCounter}_${randomBytes(4).toString('hex')}`;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(dbName)) {
    throw new Error(`createDatabase: "${dbName}" is not a plain lower-case identifier`);
  }
  const client = new pg.Client({ connectionString: adminUrl });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE "${dbName}"`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `CREATE DATABASE ${dbName} on ${new URL(adminUrl).host} failed: ${reason}${logTail ? `. Log tail:\n${logTail()}` : ''}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
  return adminUrl.replace(/\/[^/]*$/, `/${dbName}`);
}

/** SIGINT (fast shutdown: clients disconnected, no waiting for them); SIGKILL after 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function describeExit(child: ChildProcess): string {
  return child.signalCode !== null ? `signal ${child.signalCode}` : `exit code ${child.exitCode}`;
}

/**
 * A test that throws past its afterAll, or a process.exit(), still runs 'exit' listeners: immediate
 * shutdown (SIGQUIT) for every server still up. A worker killed by a signal (vitest ends its fork
 * workers with SIGTERM) runs no listener at all: the watchdog covers that case.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      if (!hasExited(child)) child.kill('SIGQUIT');
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Start-up

/** Resolves once the postmaster has exited and its output pipes are drained (or it failed to spawn). */
function childGone(child: ChildProcess): Promise<'exited'> {
  return new Promise((resolve) => {
    child.once('close', () => resolve('exited'));
    child.once('error', () => resolve('exited'));
  });
}

/** Polls with the real client until the server answers as *this* server (its data directory). */
async function waitReady(
  port: number,
  dataDirs: ReadonlySet<string>,
  gone: Promise<'exited'>,
): Promise<'ready' | 'exited' | 'timeout'> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  void gone.then(() => {
    exited = true;
  });
  for (;;) {
    if (exited) return 'exited';
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      database: 'postgres',
      connectionTimeoutMillis: 2_000,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      const result = await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir");
      if (dataDirs.has(result.rows[0]?.dir ?? '')) return 'ready';
    } catch {
      // not up yet: connection refused, or 57P03 "the database system is starting up"
    } finally {
      await client.end().catch(() => {});
    }
    if (Date.now() >= deadline) return 'timeout';
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      gone,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, POLL_MS);
      }),
    ]);
    clearTimeout(timer);
  }
}

async function runInitdb(
  bin: string,
  dataDir: string,
  cwd: string,
  runAs: ServerUser | undefined,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const args = ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C'];
  const child = spawn(join(bin, 'initdb'), args, {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...asUser(runAs),
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
    (resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('close', (code, signal) => resolve({ code, signal }));
    },
  );
  if (result.code !== 0) {
    const how = result.error
      ? result.error.message
      : result.signal
        ? `signal ${result.signal}`
        : `exit code ${result.code}`;
    const as = runAs ? ` as user ${runAs.name} (uid ${runAs.uid})` : '';
    throw new Error(`initdb${as} failed (${how}):\n${output.join('').split('\n').slice(-30).join('\n')}`);
  }
}

/** A port that was free a moment ago: bind 127.0.0.1:0, read the port, close. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The environment minus libpq/server variables (PGDATA, PGPORT, …) that could redirect the server. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PG')) env[key] = value;
  }
  env['LC_ALL'] = 'C';
  env['LANG'] = 'C';
  return env;
}

class LogTail {
  private lines: string[] = [];
  private partial = '';

  push(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > LOG_LINES) this.lines.splice(0, this.lines.length - LOG_LINES);
  }

  text(): string {
    return [...this.lines, this.partial].filter((line) => line !== '').join('\n') || '(no output)';
  }
}

function prefixLines(prefix: string, text: string): string {
  return text.replace(/^(?=.)/gm, prefix);
}

// ---------------------------------------------------------------------------------------------------
// Finding the binaries and the user

function findPgBin(): string | undefined {
  const hasServer = (dir: string): boolean =>
    isExecutable(join(dir, 'initdb')) && isExecutable(join(dir, 'postgres'));
  const fromEnv = process.env['QUOTECAST_PG_BIN'];
  if (fromEnv !== undefined && fromEnv !== '') return hasServer(fromEnv) ? fromEnv : undefined;

  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((name) => /^\d+(\.\d+)?$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const dir = join(debianRoot, version, 'bin');
      if (hasServer(dir)) return dir;
    }
  }

  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '' && hasServer(dir)) return dir;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function asUser(user: ServerUser | undefined): { uid?: number; gid?: number } {
  return user === undefined ? {} : { uid: user.uid, gid: user.gid };
}

interface ServerUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` system user. */
function serverUser(): ServerUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = lookupUser('postgres');
  if (user === undefined) {
    throw new Error(
      'Tests run as root, PostgreSQL refuses to run as root, and there is no `postgres` system user to run it as: ' +
        'create one (useradd --system postgres; apt-get install postgresql does) or run the tests as a normal user',
    );
  }
  return user;
}

function lookupUser(name: string): ServerUser | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const fields = line.split(':');
      if (fields[0] === name && fields.length >= 4) {
        return { name, uid: Number(fields[2]), gid: Number(fields[3]) };
      }
    }
  } catch {
    // no /etc/passwd: ask id(1) below (it also sees users from NSS)
  }
  try {
    const uid = Number(
      execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    );
    const gid = Number(
      execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    );
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/** The server user must be able to walk down to its directory (it runs with no supplementary groups). */
function assertReachable(dir: string, user: ServerUser): void {
  for (let current = dirname(dir); ; current = dirname(current)) {
    const { mode, uid, gid } = statSync(current);
    const searchable =
      (uid === user.uid && (mode & 0o100) !== 0) ||
      (gid === user.gid && (mode & 0o010) !== 0) ||
      (mode & 0o001) !== 0;
    if (!searchable) {
      throw new Error(
        `The ${user.name} user cannot reach ${dir}: ${current} is not searchable by it. Point TMPDIR at a ` +
          'directory others can enter (TMPDIR=/tmp)',
      );
    }
    if (current === dirname(current)) return;
  }
}

// ---------------------------------------------------------------------------------------------------
// The watchdog

interface Watchdog {
  /** The postmaster to stop if this process dies. */
  watch(pid: number): void;
  /** stop() finished: nothing left to clean up. */
  dismiss(): void;
}

/**
 * A detached `node` process that holds the read end of a pipe from this one. When this process dies
 * by any means, SIGKILL included, the pipe closes: the watchdog stops the postmaster (SIGQUIT,
 * immediate shutdown; SIGKILL after 5 s) and removes the temp directory.
 */
const WATCHDOG_SCRIPT = `
const { readFileSync, rmSync } = require('node:fs');
const dir = process.argv[1];
let pid = 0;
let buffered = '';
// The orphaned postmaster is reaped by init, maybe late (a container's PID 1 may reap slowly or never):
// a zombie counts as gone, it has closed its port already.
const alive = (p) => {
  try { return !/^\\d+ \\(.*\\) Z/s.test(readFileSync('/proc/' + p + '/stat', 'utf8')); } catch (e) {
    if (e.code === 'ENOENT') return false;
  }
  try { process.kill(p, 0); return true; } catch (e) { return e.code === 'EPERM'; }
};
const cleanUp = () => {
  if (pid) { try { process.kill(pid, 'SIGQUIT'); } catch {} }
  const deadline = Date.now() + 5000;
  const tick = () => {
    if (pid && alive(pid) && Date.now() < deadline) return void setTimeout(tick, 50);
    if (pid && alive(pid)) { try { process.kill(pid, 'SIGKILL'); } catch {} }
    try { rmSync(dir, { recursive: true, force: true, maxRetries: 5 }); } catch {}
    process.exit(0);
  };
  tick();
};
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (buffered + chunk).split('\\n');
  buffered = lines.pop();
  for (const line of lines) if (line) pid = Number(line);
});
process.stdin.on('end', cleanUp);
process.stdin.on('error', cleanUp);
`;

function startWatchdog(dir: string): Watchdog {
  const child = spawn(process.execPath, ['-e', WATCHDOG_SCRIPT, dir], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.on('error', () => {});
  const stdin = child.stdin as Socket;
  stdin.on('error', () => {});
  child.unref();
  stdin.unref();
  return {
    watch: (pid) => {
      stdin.write(`${pid}\n`);
    },
    dismiss: () => {
      if (!hasExited(child)) child.kill('SIGKILL');
      stdin.destroy();
    },
  };
}
