/**
 * The layer rules of quotecast (DESIGN.md, "Layers"), checked on the resolved import graph: static,
 * dynamic (`import('…')`), type-only (`import type`) imports and re-exports alike.
 *
 *   domain/     pure: no adapters, apps, config, use cases or ports; no Node I/O; no I/O packages
 *   ports/      the domain only
 *   use-cases/  no adapters or apps; no I/O packages
 *   adapters/   never apps
 *   src/        never a devDependency at run time (the bundle runs after `npm ci --omit=dev`)
 *
 * `npx depcruise src --config .dependency-cruiser.cjs` runs it; test/unit/layer-rules.test.ts
 * proves each rule catches what it names. Severity `error` fails the lint; `warn` only reports.
 */

/** Packages that talk to the outside world (network, disk, databases, processes). */
const IO_PACKAGES = [
  'better-sqlite3',
  'pg',
  'postgres',
  'telegraf',
  'twitter-api-v2',
  'dotenv',
  'pino',
  'prom-client',
];

/** Node built-ins that do I/O or start threads and processes; `node:` prefixed or not. */
const NODE_IO = [
  'fs',
  'fs/promises',
  'net',
  'tls',
  'http',
  'https',
  'http2',
  'dgram',
  'dns',
  'dns/promises',
  'child_process',
  'cluster',
  'worker_threads',
  'readline',
  'readline/promises',
  'inspector',
];

/** Whole-document parsers: adapters behind the DocumentParser port (DESIGN.md, STYLE.md). */
const DOCUMENT_PARSERS = ['@mozilla/readability', 'linkedom', 'marked', 'rss-parser', 'fast-xml-parser'];

const escapeRegExp = (name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** Matches a resolved npm package (in node_modules) by its name. */
const packages = (names) => `(^|/)node_modules/(${names.map(escapeRegExp).join('|')})/`;
/** Matches a core module as dependency-cruiser names it, with or without `node:`. */
const builtins = (names) => `^(node:)?(${names.map(escapeRegExp).join('|')})$`;

/** A rule on what the modules of one folder of src/ may not import. */
const layer = (name, folder, to, comment, severity = 'error') => ({
  name,
  comment,
  severity,
  from: { path: `^src/${folder}/` },
  to,
});

module.exports = {
  forbidden: [
    layer(
      'domain-is-pure',
      'domain',
      { path: '^src/(adapters|apps|config|use-cases|ports)/' },
      'domain/ is pure: it imports no adapter, app, config, use case or port, not even a type ' +
        '(a port is what the domain is driven through, not something it may know about). Move the ' +
        'code to a use case or an adapter, or hand the domain plain values.',
    ),
    layer(
      'domain-no-node-io',
      'domain',
      { dependencyTypes: ['core'], path: builtins(NODE_IO) },
      'domain/ does no I/O: no file, network, process or thread modules. Use a port.',
    ),
    layer(
      'domain-no-io-packages',
      'domain',
      { path: packages(IO_PACKAGES) },
      'domain/ does no I/O: no database, network or logging package. Use a port.',
    ),
    layer(
      'domain-no-document-parsers',
      'domain',
      { path: packages(DOCUMENT_PARSERS) },
      'Parsers of whole documents (HTML, Markdown, feeds) are adapters behind the DocumentParser ' +
        'port, where time and memory limits apply (DESIGN.md): put the reader in adapters/document/ ' +
        'and hand the domain a DocumentReader (domain/ingest-article.ts), or plain paragraphs.',
    ),
    layer(
      'ports-only-domain',
      'ports',
      { path: ['^src/(adapters|apps|config|use-cases)/', packages(IO_PACKAGES)] },
      'ports/ describe what the use cases need in domain terms: they import only the domain.',
    ),
    layer(
      'use-cases-no-adapters',
      'use-cases',
      { path: '^src/(adapters|apps)/' },
      'use-cases/ reach the outside world through ports only; apps wire the adapters in.',
    ),
    layer(
      'use-cases-no-io-packages',
      'use-cases',
      { path: packages(IO_PACKAGES) },
      'use-cases/ reach the outside world through ports only: no vendor client or driver.',
    ),
    layer(
      'adapters-not-apps',
      'adapters',
      { path: '^src/apps/' },
      'adapters/ never import apps/: the apps are the composition roots that use them.',
    ),
    {
      name: 'src-not-tests',
      comment: 'Nothing in src/ imports from test/ (fakes and helpers are not shipped).',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-dev-dep',
      comment:
        'This src/ module reaches a devDependency, which is missing after `npm ci --omit=dev`. ' +
        'Move the package to dependencies, or import only its types (`import type`, erased at build).',
      severity: 'error',
      from: {
        path: '^src/',
        // Only started when quotecast runs from its sources (tsx); the bundle uses dist/parse-worker.mjs.
        pathNot: '^src/adapters/parse-worker/ts-worker-bootstrap\\.mjs$',
      },
      to: {
        dependencyTypes: ['npm-dev'],
        dependencyTypesNot: ['type-only'],
        // @types packages hold types only, whatever the import looks like.
        pathNot: '(^|/)node_modules/@types/',
      },
    },
    {
      name: 'no-undeclared-packages',
      comment:
        'This module imports a package that package.json does not list (it works only while ' +
        'another package happens to pull it in). Add it to dependencies.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'This import does not resolve to a file or an installed package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-circular',
      comment:
        'This import is part of a cycle that exists at run time (every step a value import): break ' +
        'it by moving the shared part into a module of its own, or with a port.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-circular-via-types',
      comment:
        'This import is part of a cycle closed by `import type` (erased at build, so harmless at run ' +
        'time, but the modules cannot be understood apart): move the shared types to a module of ' +
        'their own (as domain/split-types.ts holds those of the splitters).',
      severity: 'error',
      from: {},
      to: { circular: true, via: { dependencyTypes: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are part of the graph: a type of a port in the domain is still a layer break.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // How package.json `exports` are read, as Node (ESM) reads them.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
