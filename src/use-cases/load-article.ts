import type { Settings } from '../config/config-schema.js';
import type { IngestOutcome, InputFormat } from '../domain/ingest-input.js';
import type { ArticleMetadata } from '../domain/ingest-text.js';
import type { ArticleFetcher } from '../ports/article-fetcher.js';
import type { DocumentParser } from '../ports/document-parser.js';
import { parseWithSettings } from './prepare-article.js';

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/**
 * Fetches a page and ingests it through the parser (under its time and memory budget); the final
 * URL is the article's link unless the page names one.
 */
export async function loadArticleFromUrl(
  fetcher: ArticleFetcher,
  parser: DocumentParser,
  url: string,
  settings: Settings,
  metadata: ArticleMetadata = {},
  signal?: AbortSignal,
): Promise<IngestOutcome> {
  const page = await fetcher.fetch(url, signal);
  const format: InputFormat | 'auto' = /html/i.test(page.contentType) ? 'html' : 'auto';
  return parseWithSettings(
    parser,
    { bytes: page.bytes, source: url, format, metadata: { url: page.url, ...metadata } },
    settings,
  );
}
