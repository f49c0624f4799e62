import type { CompiledBoilerplateRules } from './boilerplate.js';
import {
  decodeInput,
  finishIngest,
  type IngestOptions,
  type IngestOutcome,
  type InputFormat,
} from './ingest-input.js';
import { htmlComplexityProblem, markdownComplexityProblem } from './ingest-limits.js';
import { type ArticleMetadata, type IngestResult, ingestText } from './ingest-text.js';

export {
  type DecodedInput,
  decodeInput,
  detectFormat,
  finishIngest,
  formatBytes,
  INPUT_FORMATS,
  type IngestOptions,
  type IngestOutcome,
  type IngestProblem,
  type InputFormat,
} from './ingest-input.js';

/** Reads one document format: decoded text in, an article with its furniture dropped out. */
export type DocumentReader = (
  raw: string,
  rules: CompiledBoilerplateRules,
  fallback: ArticleMetadata,
) => IngestResult;

/**
 * The readers of the formats that need a document parser (linkedom and Readability, marked). They
 * are adapters (adapters/document/) handed in by the caller: plain text is read here, so the domain
 * never loads a parser, and a process that only reads text (the CLI's `split` of a .txt) neither.
 */
export interface DocumentReaders {
  readonly html: DocumentReader;
  readonly markdown: DocumentReader;
}

/** Bytes in, article out: checks size and encoding, detects the format, drops newsroom furniture. */
export function ingestArticle(
  bytes: Uint8Array,
  options: IngestOptions,
  readers: DocumentReaders,
): IngestOutcome {
  const input = decodeInput(bytes, options);
  if (!input.ok) return input;
  return parseDecoded(input.raw, input.format, options, readers);
}

/**
 * Reads decoded text in its format. HTML and Markdown are checked against the complexity caps
 * first (see ingest-limits.ts) and refused as "page too complex" when over them; a stack overflow
 * in a parser on an input the caps let through is refused the same way, never thrown.
 */
export function parseDecoded(
  raw: string,
  format: InputFormat,
  options: Pick<IngestOptions, 'rules' | 'source' | 'metadata'>,
  readers: DocumentReaders,
): IngestOutcome {
  const { source } = options;
  const tooComplex =
    format === 'html'
      ? htmlComplexityProblem(raw, source)
      : format === 'markdown'
        ? markdownComplexityProblem(raw, source)
        : undefined;
  if (tooComplex) return { ok: false, problem: { code: 'too-complex', message: tooComplex } };
  const fallback = options.metadata ?? {};
  try {
    const read = format === 'text' ? ingestText : readers[format];
    return finishIngest(read(raw, options.rules, fallback), format, source);
  } catch (error) {
    // V8's "Maximum call stack size exceeded": a recursive parser met nesting the caps did not see.
    if (!(error instanceof RangeError)) throw error;
    return {
      ok: false,
      problem: {
        code: 'too-complex',
        message: `page too complex: ${source} is nested too deeply to read; nothing was read`,
      },
    };
  }
}
