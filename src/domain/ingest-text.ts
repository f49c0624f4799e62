import type { Article } from './article.js';
import {
  bylineName,
  type CompiledBoilerplateRules,
  type RemovedParagraph,
  removeBoilerplate,
} from './boilerplate.js';
import { normalizeText, splitParagraphs, toParagraph } from './normalize-text.js';

/** Metadata that does not come from the text itself (config defaults, CLI flags). */
export interface ArticleMetadata {
  readonly title?: string;
  readonly byline?: string;
  readonly url?: string;
  readonly publication?: string;
}

export interface IngestResult {
  readonly article: Article;
  /** Boilerplate paragraphs that were dropped, so an editor can see why. */
  readonly removed: readonly RemovedParagraph[];
}

/** Builds an article from a title and raw body paragraphs, dropping boilerplate. */
export function assembleArticle(
  found: ArticleMetadata,
  rawParagraphs: readonly string[],
  rules: CompiledBoilerplateRules,
  fallback: ArticleMetadata,
): IngestResult {
  const { body, removed } = removeBoilerplate(
    rawParagraphs.map((p) => toParagraph(normalizeText(p))).filter(Boolean),
    rules,
  );
  const strayByline = removed.find((r) => r.kind === 'byline');
  const byline = found.byline ?? fallback.byline ?? (strayByline ? bylineName(strayByline.text) : undefined);
  const title = found.title ?? fallback.title ?? '';
  const url = found.url ?? fallback.url;
  const publication = found.publication ?? fallback.publication;
  return {
    article: {
      title: toParagraph(normalizeText(title)),
      ...(byline ? { byline: toParagraph(normalizeText(byline)) } : {}),
      ...(url ? { url } : {}),
      ...(publication ? { publication } : {}),
      paragraphs: body,
    },
    removed,
  };
}

/** Plain text: the first non-empty line is the title, blank lines separate paragraphs. */
export function ingestText(
  raw: string,
  rules: CompiledBoilerplateRules,
  fallback: ArticleMetadata = {},
): IngestResult {
  const text = normalizeText(raw).trim();
  const newline = text.indexOf('\n');
  const title = newline === -1 ? text : text.slice(0, newline);
  const rest = newline === -1 ? '' : text.slice(newline + 1);
  return assembleArticle({ title }, splitParagraphs(rest), rules, fallback);
}
