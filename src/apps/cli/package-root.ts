import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of quotecast's own package.json, found from wherever this code runs: src/ under tsx,
 * the dist/ bundle of a clone, or node_modules/quotecast of an installed copy. The bundled example
 * article and the embedded default settings live there.
 */
export const PACKAGE_ROOT = packageRootOf(fileURLToPath(import.meta.url));

export function packageRootOf(from: string): string {
  let dir = path.dirname(from);
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** The settings an installed quotecast runs on when the current folder has none of its own. */
export const EMBEDDED_DEFAULTS = path.join(PACKAGE_ROOT, 'config/default.yaml');
