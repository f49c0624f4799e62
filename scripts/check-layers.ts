/**
 * The layer rule: domain/ is pure (no adapters, apps, config, ports with I/O, or Node I/O modules),
 * ports/ import only the domain, adapters never import apps. Fails with every violation listed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', 'src');
const FORBIDDEN: Record<string, RegExp[]> = {
  domain: [
    /\/(adapters|apps|config|use-cases|ports)\//,
    /^node:(fs|net|http|https|child_process|dgram)/,
    /^(better-sqlite3|telegraf|twitter-api-v2|dotenv)$/,
  ],
  ports: [/\/(adapters|apps|config|use-cases)\//],
  'use-cases': [/\/(adapters|apps)\//, /^(better-sqlite3|telegraf|twitter-api-v2)$/],
  adapters: [/\/apps\//],
};

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* files(full);
    else if (full.endsWith('.ts')) yield full;
  }
}

const problems: string[] = [];
for (const file of files(root)) {
  const layer = path.relative(root, file).split(path.sep)[0] ?? '';
  const rules = FORBIDDEN[layer];
  if (!rules) continue;
  const source = readFileSync(file, 'utf8');
  for (const match of source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    const spec = match[1] ?? '';
    const resolved = spec.startsWith('.') ? `${path.resolve(path.dirname(file), spec)}` : spec;
    const shown = spec.startsWith('.') ? `/${path.relative(root, resolved)}` : spec;
    const target = spec.startsWith('.') ? `/${path.relative(root, resolved)}/` : spec;
    if (rules.some((re) => re.test(target) || re.test(shown)))
      problems.push(`${path.relative(process.cwd(), file)}: ${layer}/ must not import ${spec}`);
  }
}
if (problems.length > 0) {
  console.error(`layer rule broken in ${problems.length} place(s):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log('layers ok: domain is pure, ports and use cases import no adapters');
