import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir, type TempDir } from '../helpers/temp-dir.js';

/**
 * The project's dependency-cruiser config (.dependency-cruiser.cjs), run through dependency-cruiser's
 * own API: on a small tree in a temp folder with one file per way of breaking a rule (and a few
 * look-alikes that must pass), and on the real src/.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
/** Cruising the real tree takes a few seconds on a busy two-core machine. */
const TIMEOUT_MS = 60_000;

/** Cruises `dirs` of `baseDir` with the project's rules, as `depcruise` does on the command line. */
async function cruiseWithProjectRules(baseDir: string, dirs: string[]): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(CONFIG);
  const tsConfig = extractTSConfig(path.join(baseDir, 'tsconfig.json'));
  const { output } = await cruise(dirs, { ...options, baseDir }, {}, { tsConfig });
  if (typeof output === 'string') throw new Error('expected a cruise result, got a report');
  return output;
}

const brief = (v: IViolation) => `${v.rule.severity} ${v.rule.name}: ${v.from} → ${v.to}`;

/** A file in the fixture tree, with its folders. */
function write(dir: TempDir, file: string, text: string): void {
  mkdirSync(path.dirname(dir.file(file)), { recursive: true });
  writeFileSync(dir.file(file), text);
}

/** An installed package in the fixture's node_modules: an ESM module and its type declarations. */
function fakePackage(dir: TempDir, name: string): void {
  write(
    dir,
    `node_modules/${name}/package.json`,
    JSON.stringify({ name, version: '1.0.0', type: 'module', main: 'index.js', types: 'index.d.ts' }),
  );
  write(dir, `node_modules/${name}/index.js`, 'export const value = 1;\n');
  write(
    dir,
    `node_modules/${name}/index.d.ts`,
    'export declare const value: number;\nexport type Value = number;\n',
  );
}

/** The fixture's src/, file by file: what is allowed, then one file per way of breaking a rule. */
const FIXTURE: Record<string, string> = {
  // Allowed: the domain uses the domain and a pure library; every layer may use the domain.
  'src/domain/article.ts': "import { value } from 'some-runtime-lib';\nexport const size = value;\n",
  'src/ports/store.ts':
    "import type { size } from '../domain/article.js';\nexport type Store = typeof size;\n",
  'src/use-cases/enqueue.ts': "import { size } from '../domain/article.js';\nexport const n = size;\n",
  'src/adapters/db.ts': "import { value } from 'better-sqlite3';\nexport const db = value;\n",
  'src/apps/cli.ts': "import { db } from '../adapters/db.js';\nexport const run = () => db;\n",
  'src/config/settings.ts': 'export const size = 1;\n',
  // Erased at build: a type from a devDependency is not needed at run time.
  'src/adapters/dev-types.ts': "import type { Value } from 'some-dev-tool';\nexport type D = Value;\n",

  // The regular expression of scripts/check-layers.ts let this one through.
  'src/domain/lazy.ts': "export const load = () => import('../adapters/db.js');\n",
  'src/domain/typed.ts': "import type { Store } from '../ports/store.js';\nexport type T = Store;\n",
  'src/domain/reexport.ts': "export { n } from '../use-cases/enqueue.js';\n",
  'src/domain/config.ts': "export { size } from '../config/settings.js';\n",
  'src/domain/files.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
  'src/domain/sockets.ts': "import net from 'net';\nexport const connect = net.connect;\n",
  'src/domain/sqlite.ts': "import { value } from 'better-sqlite3';\nexport const v = value;\n",
  'src/ports/bad-port.ts': "import type { n } from '../use-cases/enqueue.js';\nexport type P = typeof n;\n",
  'src/use-cases/bad-use-case.ts': "import { db } from '../adapters/db.js';\nexport const u = db;\n",
  'src/use-cases/bot.ts': "import { value } from 'telegraf';\nexport const b = value;\n",
  'src/adapters/bad-adapter.ts': "import { run } from '../apps/cli.js';\nexport const a = run;\n",
  'src/adapters/dev.ts': "import { value } from 'some-dev-tool';\nexport const d = value;\n",
  'src/adapters/undeclared.ts': "import { value } from 'not-declared';\nexport const x = value;\n",
  'src/adapters/typo.ts': "import { nothing } from './no-such-file.js';\nexport const t = nothing;\n",
  // A cycle fails, at run time or closed only by `import type`.
  'src/adapters/ping.ts': "import { pong } from './pong.js';\nexport const ping = () => pong;\n",
  'src/adapters/pong.ts': "import { ping } from './ping.js';\nexport const pong = () => ping;\n",
  'src/domain/shape.ts': "import { draw } from './draw.js';\nexport type Shape = { d: typeof draw };\n",
  'src/domain/draw.ts': "import type { Shape } from './shape.js';\nexport const draw = (s?: Shape) => s;\n",
};

/** Each way of breaking a rule in the fixture tree below, and the one violation it must produce. */
const CAUGHT: [what: string, violation: string][] = [
  [
    'a dynamic import of an adapter from the domain',
    'error domain-is-pure: src/domain/lazy.ts → src/adapters/db.ts',
  ],
  [
    'a type-only import of a port from the domain',
    'error domain-is-pure: src/domain/typed.ts → src/ports/store.ts',
  ],
  [
    'a re-export of a use case from the domain',
    'error domain-is-pure: src/domain/reexport.ts → src/use-cases/enqueue.ts',
  ],
  ['config read from the domain', 'error domain-is-pure: src/domain/config.ts → src/config/settings.ts'],
  ['node:fs in the domain', 'error domain-no-node-io: src/domain/files.ts → fs'],
  ['net (no node: prefix) in the domain', 'error domain-no-node-io: src/domain/sockets.ts → net'],
  [
    'a database driver in the domain',
    'error domain-no-io-packages: src/domain/sqlite.ts → node_modules/better-sqlite3/',
  ],
  [
    'a port importing a use case',
    'error ports-only-domain: src/ports/bad-port.ts → src/use-cases/enqueue.ts',
  ],
  [
    'a use case importing an adapter',
    'error use-cases-no-adapters: src/use-cases/bad-use-case.ts → src/adapters/db.ts',
  ],
  [
    'a use case importing a vendor client',
    'error use-cases-no-io-packages: src/use-cases/bot.ts → node_modules/telegraf/',
  ],
  ['an adapter importing an app', 'error adapters-not-apps: src/adapters/bad-adapter.ts → src/apps/cli.ts'],
  [
    'a src module reaching a devDependency',
    'error not-to-dev-dep: src/adapters/dev.ts → node_modules/some-dev-tool/',
  ],
  [
    'a package missing from package.json',
    'error no-undeclared-packages: src/adapters/undeclared.ts → node_modules/not-declared/',
  ],
  [
    'an import of a file that does not exist',
    'error not-to-unresolvable: src/adapters/typo.ts → ./no-such-file.js',
  ],
  ['a cycle at run time', 'error no-circular: src/adapters/ping.ts → src/adapters/pong.ts'],
  ['a cycle closed by import type', 'error no-circular-via-types: src/domain/draw.ts → src/domain/shape.ts'],
];

describe('layer rules (.dependency-cruiser.cjs)', () => {
  let tree: TempDir;
  let violations: string[];

  beforeAll(async () => {
    tree = createTempDir('quotecast-layers-');
    write(
      tree,
      'package.json',
      JSON.stringify({
        name: 'layers-fixture',
        type: 'module',
        dependencies: { 'better-sqlite3': '1.0.0', telegraf: '1.0.0', 'some-runtime-lib': '1.0.0' },
        devDependencies: { 'some-dev-tool': '1.0.0' },
      }),
    );
    write(
      tree,
      'tsconfig.json',
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [] },
        include: ['src'],
      }),
    );
    for (const name of ['better-sqlite3', 'telegraf', 'some-runtime-lib', 'some-dev-tool', 'not-declared'])
      fakePackage(tree, name);

    for (const [file, text] of Object.entries(FIXTURE)) write(tree, file, text);

    const result = await cruiseWithProjectRules(tree.path, ['src']);
    violations = result.summary.violations.map(brief);
  }, TIMEOUT_MS);

  afterAll(() => tree?.remove());

  it.each(CAUGHT)('catches %s', (_what, expected) => {
    // A package is named by the file it resolves to; the folder is enough here.
    expect(violations.filter((v) => v.startsWith(expected))).toHaveLength(1);
  });

  it('reports nothing else: allowed imports (domain from every layer, types of a dev tool) pass', () => {
    expect(violations).toHaveLength(CAUGHT.length);
    const reported = new Set(violations.map((v) => v.split(':')[1]!.split(' → ')[0]!.trim()));
    for (const allowed of [
      'src/domain/article.ts',
      'src/ports/store.ts',
      'src/use-cases/enqueue.ts',
      'src/adapters/db.ts',
      'src/apps/cli.ts',
      'src/adapters/dev-types.ts',
    ])
      expect(reported).not.toContain(allowed);
  });

  it(
    'the real src/ breaks no rule, not even with a warning',
    async () => {
      const result = await cruiseWithProjectRules(ROOT, ['src']);
      expect(result.summary.violations.map(brief)).toEqual([]);
      expect(result.summary.error).toBe(0);
      expect(result.summary.warn).toBe(0);
      expect(result.summary.totalCruised).toBeGreaterThan(100);
    },
    TIMEOUT_MS,
  );
});
