import type { BoilerplateRules } from '../../domain/boilerplate.js';
import type { IngestOutcome, InputFormat } from '../../domain/ingest-input.js';
import type { ArticleMetadata } from '../../domain/ingest-text.js';

/** One document for the worker, already decoded and checked on the calling side. */
export interface ParseJob {
  readonly id: number;
  readonly raw: string;
  readonly format: InputFormat;
  readonly source: string;
  readonly metadata: ArticleMetadata;
  readonly boilerplate: BoilerplateRules;
}

/** The worker's answers: ready once its modules are loaded, then one reply per job. */
export type WorkerReply =
  | { readonly ready: true }
  | { readonly id: number; readonly outcome: IngestOutcome }
  | { readonly id: number; readonly error: string };
