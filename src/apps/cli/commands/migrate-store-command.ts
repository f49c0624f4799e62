import path from 'node:path';
import { copySqliteToPostgres } from '../../../adapters/postgres/copy-sqlite-to-postgres.js';
import { redactUrl } from '../../../adapters/postgres/pg-store-error.js';
import { isStoreError } from '../../../adapters/sqlite/store-error.js';
import { parseCommandArgs } from '../args.js';
import type { CliContext } from '../cli-context.js';
import { CliError, EXIT_FAILURE } from '../cli-error.js';
import { MIGRATE_STORE_USAGE } from '../usage.js';

/**
 * `quotecast migrate-store --from sqlite --to postgres [--sqlite PATH] [--url URL]`: the SQLite file of
 * store.path (or --sqlite) into the PostgreSQL database of DATABASE_URL / store.url (or --url). Stop
 * the daemon first (the copy takes its lock); then point every daemon at PostgreSQL.
 */
export async function migrateStoreCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('migrate-store', args, {
    from: { type: 'string' },
    to: { type: 'string' },
    sqlite: { type: 'string' },
    url: { type: 'string' },
  });
  if (positionals.length > 0 || values.from !== 'sqlite' || values.to !== 'postgres')
    throw new CliError(
      `usage: quotecast ${MIGRATE_STORE_USAGE} (the only migration there is: --from sqlite --to postgres)`,
    );
  const { store } = ctx.config().settings;
  const sqlitePath = path.resolve(ctx.cwd, values.sqlite ?? store.path);
  const url = values.url ?? store.url;
  if (!url)
    throw new CliError(
      'no PostgreSQL database to copy into: set DATABASE_URL (or store.url in the settings), or pass --url postgres://user:password@host:5432/database',
    );
  ctx.stderr.write(`copying ${sqlitePath} into ${redactUrl(url)}…\n`);
  try {
    const report = await copySqliteToPostgres({
      sqlitePath,
      url,
      ...(ctx.clock ? { now: () => ctx.clock!.now() } : {}),
    });
    for (const table of report.tables) ctx.stdout.write(`${table.name}: ${table.rows} row(s)\n`);
    ctx.stdout.write(
      `done: ${redactUrl(url)} now holds the queue and its history. Point every daemon at it (DATABASE_URL or store.url) and start them; keep ${sqlitePath} as a backup.\n`,
    );
    return 0;
  } catch (error) {
    if (isStoreError(error)) throw new CliError(`${error.message}; nothing was copied`, EXIT_FAILURE);
    throw error;
  }
}
