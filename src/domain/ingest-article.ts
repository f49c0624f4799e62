import type { CompiledBoilerplateRules } from './boilerplate.js';
import { ingestHtml } from './ingest-html.js';
import { ingestMarkdown } from './ingest-markdown.js';
import { type ArticleMetadata, type IngestResult, ingestText } from './ingest-text.js';

export type InputFormat = 'text' | 'markdown' | 'html';
export const INPUT_FORMATS: readonly InputFormat[] = ['text', 'markdown', 'html'];

export type IngestProblem =
  | { readonly code: 'empty'; readonly message: string }
  | { readonly code: 'too-large'; readonly message: string }
  | { readonly code: 'not-utf8'; readonly message: string }
  | { readonly code: 'binary'; readonly message: string }
  | { readonly code: 'no-body'; readonly message: string };

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

/** Bytes in, article out: checks size and encoding, detects the format, drops newsroom furniture. */
export function ingestArticle(bytes: Uint8Array, options: IngestOptions): IngestOutcome {
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
  if (raw.trim().length === 0)
    return fail('empty', `${source} is empty; give an article: an optional title line, then paragraphs`);
  const format = options.format && options.format !== 'auto' ? options.format : detectFormat(raw, source);
  const fallback = options.metadata ?? {};
  const result =
    format === 'html'
      ? ingestHtml(raw, options.rules, fallback)
      : format === 'markdown'
        ? ingestMarkdown(raw, options.rules, fallback)
        : ingestText(raw, options.rules, fallback);
  if (result.article.paragraphs.length === 0) return fail('no-body', noBodyMessage(source, result));
  return { ok: true, format, ...result };
}

/** How many dropped paragraphs the no-body message quotes. */
const QUOTED_DROPS = 3;

/** Nothing left to post: say what was dropped and why, or that there was only a title. */
function noBodyMessage(source: string, { article, removed }: IngestResult): string {
  if (removed.length === 0) {
    return article.title
      ? `${source} has a title ("${clip(article.title, 60)}") but no body paragraphs to post; put the article's text after the title`
      : `${source} has no body paragraphs to post`;
  }
  const quoted = removed
    .slice(0, QUOTED_DROPS)
    .map((r) => `${r.reason}: "${clip(r.text, 40)}"`)
    .join('; ');
  const more = removed.length > QUOTED_DROPS ? `; and ${removed.length - QUOTED_DROPS} more` : '';
  const where = article.title ? ' after the title' : '';
  return `${source} has nothing left to post: all ${removed.length} paragraph(s)${where} are newsroom furniture (${quoted}${more}); if one of them is body text, change the matching boilerplate pattern in the settings`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** By file extension first, then by content: an HTML document, or Markdown's `# ` title. */
export function detectFormat(raw: string, source: string): InputFormat {
  if (/\.html?$/i.test(source)) return 'html';
  if (/\.(md|markdown)$/i.test(source)) return 'markdown';
  if (/\.txt$/i.test(source)) return 'text';
  const head = raw.trimStart().slice(0, 1000).toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || /<(article|body|p)[\s>]/.test(head))
    return 'html';
  if (/^(#\s|---\n)/.test(raw.trimStart())) return 'markdown';
  return 'text';
}

function fail(code: IngestProblem['code'], message: string): IngestOutcome {
  return { ok: false, problem: { code, message } };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
