import type { Settings } from '../config/config-schema.js';
import type { IngestOutcome, InputFormat } from '../domain/ingest-article.js';
import type { ArticleMetadata } from '../domain/ingest-text.js';
import type { ArticleFetcher } from '../ports/article-fetcher.js';
import { ingestWithSettings } from './prepare-article.js';

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** Fetches a page and ingests it; the final URL is the article's link unless the page names one. */
export async function loadArticleFromUrl(
  fetcher: ArticleFetcher,
  url: string,
  settings: Settings,
  metadata: ArticleMetadata = {},
  signal?: AbortSignal,
): Promise<IngestOutcome> {
  const page = await fetcher.fetch(url, signal);
  const format: InputFormat | 'auto' = /html/i.test(page.contentType) ? 'html' : 'auto';
  return ingestWithSettings(
    { bytes: page.bytes, source: url, format, metadata: { url: page.url, ...metadata } },
    settings,
  );
}
