import type { BoilerplateRules } from '../domain/boilerplate.js';
import type { IngestOutcome, InputFormat } from '../domain/ingest-input.js';
import type { ArticleMetadata } from '../domain/ingest-text.js';

/** An article's bytes and everything needed to read them; plain data, so it can cross to a worker. */
export interface ParseRequest {
  readonly bytes: Uint8Array;
  /** Where the input came from, for messages and for guessing the format from the file name. */
  readonly source: string;
  readonly format: InputFormat | 'auto';
  readonly metadata: ArticleMetadata;
  readonly maxBytes: number;
  /** The configured furniture patterns, compiled where the parse runs. */
  readonly boilerplate: BoilerplateRules;
}

/**
 * Turns an article's bytes into an Article (or a problem an editor can act on). Parsing a document
 * is the one step whose cost an outsider controls (a page nested thousands deep, megabytes on one
 * line), so the adapter runs it under a time and memory budget, away from the thread that publishes
 * and answers the bot. Over the budget is an outcome (`too-complex`), never a throw.
 */
export interface DocumentParser {
  parse(request: ParseRequest): Promise<IngestOutcome>;
  /** Stops any parse in progress (their promises reject) and frees the worker. */
  close(): Promise<void>;
}
