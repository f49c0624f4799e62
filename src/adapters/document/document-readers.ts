import { compileBoilerplateRules } from '../../domain/boilerplate.js';
import {
  type DocumentReaders,
  type IngestOptions,
  type IngestOutcome,
  ingestArticle,
} from '../../domain/ingest-article.js';
import type { ParseRequest } from '../../ports/document-parser.js';
import { ingestHtml } from './ingest-html.js';
import { ingestMarkdown } from './ingest-markdown.js';

/** The vendor-backed readers: HTML through linkedom and Readability, Markdown through marked. */
export const DOCUMENT_READERS: DocumentReaders = { html: ingestHtml, markdown: ingestMarkdown };

/** `ingestArticle` with the vendor readers, on the calling thread (complexity caps, no time limit). */
export function ingestDocument(bytes: Uint8Array, options: IngestOptions): IngestOutcome {
  return ingestArticle(bytes, options, DOCUMENT_READERS);
}

/** A parse request read on the calling thread: what the worker does, without its time and heap budget. */
export function ingestRequest(request: ParseRequest): IngestOutcome {
  const { bytes, boilerplate, ...options } = request;
  return ingestDocument(bytes, { ...options, rules: compileBoilerplateRules(boilerplate) });
}
