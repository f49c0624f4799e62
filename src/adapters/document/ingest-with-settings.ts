import type { Settings } from '../../config/config-schema.js';
import type { IngestOutcome } from '../../domain/ingest-input.js';
import { type PrepareInput, parseRequest } from '../../use-cases/prepare-article.js';
import { ingestRequest } from './document-readers.js';

/**
 * Ingests an article on the calling thread, under the complexity caps but with no time or memory
 * limit: for tests, offline tools and inputs too small to need one (a Telegram message's text, the
 * bundled example). Files and pages (the CLI, the bot) go through `parseWithSettings` and the worker
 * parser, which runs under both. Importing this module loads the parsers.
 */
export function ingestWithSettings(input: PrepareInput, settings: Settings): IngestOutcome {
  return ingestRequest(parseRequest(input, settings));
}
