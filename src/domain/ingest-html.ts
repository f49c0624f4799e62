import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import type { CompiledBoilerplateRules } from './boilerplate.js';
import { type ArticleMetadata, assembleArticle, type IngestResult } from './ingest-text.js';

const BLOCKS = 'p, li, blockquote, h2, h3, h4, h5, h6, pre';

/**
 * HTML: Mozilla Readability finds the main article text (navigation, ads and footers go); title,
 * author, canonical URL and site name come from the page's own metadata where present.
 */
export function ingestHtml(
  raw: string,
  rules: CompiledBoilerplateRules,
  fallback: ArticleMetadata = {},
): IngestResult {
  const { document } = parseHTML(raw);
  const meta = readPageMetadata(document);
  // Readability mutates the document, so metadata is read first.
  const parsed = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], {
    charThreshold: 100,
  }).parse();
  const paragraphs: string[] = [];
  if (parsed?.content) {
    const { document: content } = parseHTML(`<!doctype html><html><body>${parsed.content}</body></html>`);
    for (const element of content.querySelectorAll(BLOCKS)) {
      // Nested blocks (a <p> inside <blockquote> or <li>) are taken at the innermost level only.
      if (element.querySelector(BLOCKS)) continue;
      paragraphs.push(element.textContent ?? '');
    }
    if (paragraphs.length === 0 && parsed.textContent) paragraphs.push(...parsed.textContent.split(/\n{2,}/));
  }
  const found: ArticleMetadata = {
    ...((meta.title ?? parsed?.title) ? { title: (meta.title ?? parsed?.title) as string } : {}),
    ...((meta.byline ?? parsed?.byline) ? { byline: (meta.byline ?? parsed?.byline) as string } : {}),
    ...(meta.url ? { url: meta.url } : {}),
    ...((meta.publication ?? parsed?.siteName)
      ? { publication: (meta.publication ?? parsed?.siteName) as string }
      : {}),
  };
  return assembleArticle(found, paragraphs, rules, fallback);
}

interface MinimalDocument {
  querySelector(
    selector: string,
  ): { getAttribute(name: string): string | null; textContent: string | null } | null;
}

function readPageMetadata(document: MinimalDocument): ArticleMetadata {
  const attr = (selector: string, name: string) =>
    document.querySelector(selector)?.getAttribute(name)?.trim() || undefined;
  const title =
    attr('meta[property="og:title"]', 'content') ??
    (document.querySelector('title')?.textContent?.trim() || undefined);
  const byline = attr('meta[name="author"]', 'content') ?? attr('meta[property="article:author"]', 'content');
  const url = attr('link[rel="canonical"]', 'href') ?? attr('meta[property="og:url"]', 'content');
  const publication = attr('meta[property="og:site_name"]', 'content');
  return {
    ...(title ? { title } : {}),
    ...(byline && !/^https?:/.test(byline) ? { byline } : {}),
    ...(url && /^https?:\/\//.test(url) ? { url } : {}),
    ...(publication ? { publication } : {}),
  };
}
