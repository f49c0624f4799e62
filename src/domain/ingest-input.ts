import type { CompiledBoilerplateRules } from './boilerplate.js';
import type { ArticleMetadata, IngestResult } from './ingest-text.js';

/**
 * The cheap half of ingestion, with no document parser behind it: size, encoding and format checks
 * on the bytes, and the verdict on what a parser made of them. The parsers themselves (HTML,
 * Markdown) are in ingest-article.ts, which runs them under the complexity caps; a parse port runs
 * that in a worker, so a process that only checks and splits never loads them.
 */

export type InputFormat = 'text' | 'markdown' | 'html';
export const INPUT_FORMATS: readonly InputFormat[] = ['text', 'markdown', 'html'];

export type IngestProblem =
  | { readonly code: 'empty'; readonly message: string }
  | { readonly code: 'too-large'; readonly message: string }
  | { readonly code: 'not-utf8'; readonly message: string }
  | { readonly code: 'binary'; readonly message: string }
  | { readonly code: 'no-body'; readonly message: string }
  /** Over a complexity cap (nesting, elements), or over the parser's time or memory budget. */
  | { readonly code: 'too-complex'; readonly message: string };

export type IngestOutcome =
  | ({ readonly ok: true; readonly format: InputFormat } & IngestResult)
  | {
      readonly ok: false;
      readonly problem: IngestProblem;
    };

export interface IngestOptions {
  readonly rules: CompiledBoilerplateRules;
  readonly maxBytes: number;
  /** Where the input came from, for messages and for guessing the format from the file name. */
  readonly source: string;
  readonly format?: InputFormat | 'auto';
  readonly metadata?: ArticleMetadata;
}

/** Input that passed the byte checks: the decoded text and the format to read it as. */
export type DecodedInput =
  | { readonly ok: true; readonly raw: string; readonly format: InputFormat }
  | { readonly ok: false; readonly problem: IngestProblem };

/** Checks size and encoding, decodes UTF-8 and decides the format (given, or detected). */
export function decodeInput(
  bytes: Uint8Array,
  options: Pick<IngestOptions, 'maxBytes' | 'source' | 'format'>,
): DecodedInput {
  const { source } = options;
  if (bytes.length > options.maxBytes) {
    return fail(
      'too-large',
      `${source} is ${formatBytes(bytes.length)}, over the ${formatBytes(options.maxBytes)} limit; split the article or raise input.maxBytes in the config`,
    );
  }
  if (bytes.includes(0))
    return fail(
      'binary',
      `${source} looks like a binary file (it contains NUL bytes); give a text, Markdown or HTML article`,
    );
  let raw: string;
  try {
    raw = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail(
      'not-utf8',
      `${source} is not valid UTF-8; save it as UTF-8 (for example: iconv -f latin1 -t utf-8)`,
    );
  }
  if (isBlank(raw))
    return fail('empty', `${source} is empty; give an article: an optional title line, then paragraphs`);
  const format = options.format && options.format !== 'auto' ? options.format : detectFormat(raw, source);
  return { ok: true, raw, format };
}

/** `raw.trim().length === 0` without copying a 5 MB string to learn that its first character is not blank. */
function isBlank(raw: string): boolean {
  return !/\S/.test(raw);
}

/** A parser's result as an outcome: refused when no body paragraph is left. */
export function finishIngest(result: IngestResult, format: InputFormat, source: string): IngestOutcome {
  if (result.article.paragraphs.length === 0) return { ok: false, problem: noBodyProblem(source, result) };
  return { ok: true, format, ...result };
}

/** How many dropped paragraphs the no-body message quotes. */
const QUOTED_DROPS = 3;

/** Nothing left to post: say what was dropped and why, or that there was only a title. */
function noBodyProblem(source: string, { article, removed }: IngestResult): IngestProblem {
  const message = (text: string): IngestProblem => ({ code: 'no-body', message: text });
  if (removed.length === 0) {
    return message(
      article.title
        ? `${source} has a title ("${clip(article.title, 60)}") but no body paragraphs to post; put the article's text after the title`
        : `${source} has no body paragraphs to post`,
    );
  }
  const quoted = removed
    .slice(0, QUOTED_DROPS)
    .map((r) => `${r.reason}: "${clip(r.text, 40)}"`)
    .join('; ');
  const more = removed.length > QUOTED_DROPS ? `; and ${removed.length - QUOTED_DROPS} more` : '';
  const where = article.title ? ' after the title' : '';
  return message(
    `${source} has nothing left to post: all ${removed.length} paragraph(s)${where} are newsroom furniture (${quoted}${more}); if one of them is body text, change the matching boilerplate pattern in the settings`,
  );
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** By file extension first, then by content: an HTML document, or Markdown's `# ` title. */
export function detectFormat(raw: string, source: string): InputFormat {
  if (/\.html?$/i.test(source)) return 'html';
  if (/\.(md|markdown)$/i.test(source)) return 'markdown';
  if (/\.txt$/i.test(source)) return 'text';
  const head = raw.slice(0, 4096).trimStart().slice(0, 1000).toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || /<(article|body|p)[\s>]/.test(head))
    return 'html';
  if (/^(#\s|---\n)/.test(head)) return 'markdown';
  return 'text';
}

function fail(code: IngestProblem['code'], message: string): DecodedInput {
  return { ok: false, problem: { code, message } };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
