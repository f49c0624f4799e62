import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { bylineName, type CompiledBoilerplateRules } from './boilerplate.js';
import { type ArticleMetadata, assembleArticle, type IngestResult } from './ingest-text.js';

const BLOCKS = 'p, li, blockquote, h2, h3, h4, h5, h6, pre';

/** Page furniture removed before the fallback reads blocks (Readability removes it by itself). */
const FURNITURE =
  'nav, header, footer, aside, script, style, noscript, form, template, [role="navigation"], [role="banner"], [role="contentinfo"], .ad, .ads, .advert, .advertisement, .sponsored';

/**
 * HTML: Mozilla Readability finds the main article text (navigation, ads and footers go); title,
 * author, canonical URL and site name come from the page's own metadata where present. On a page
 * too short for Readability (under its character threshold it returns the whole body, and nothing
 * for a bare fragment) navigation, header, footer and asides are removed here.
 */
export function ingestHtml(
  raw: string,
  rules: CompiledBoilerplateRules,
  fallback: ArticleMetadata = {},
): IngestResult {
  const { document } = parseHTML(raw);
  const meta = readPageMetadata(document);
  const pageTitle = document.querySelector('title')?.textContent?.trim() || undefined;
  // Readability mutates the document, so metadata is read first.
  const parsed = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], {
    charThreshold: 100,
  }).parse();
  let paragraphs: string[] = [];
  if (parsed?.content) {
    const { document: content } = parseHTML(
      `<!doctype html><html><body>${spaceBreaks(parsed.content)}</body></html>`,
    );
    // On a short page Readability gives up and returns the whole body, navigation included.
    for (const element of [...content.querySelectorAll(FURNITURE)]) element.remove();
    paragraphs = innermostBlocks(content);
    if (paragraphs.length === 0 && parsed.textContent) paragraphs.push(...parsed.textContent.split(/\n{2,}/));
  }
  if (paragraphs.every((p) => !p.trim())) paragraphs = fallbackBlocks(raw);
  // Readability's title drops a " | Site name" suffix that <title> usually carries.
  const title = meta.title ?? (parsed?.title?.trim() || undefined) ?? pageTitle;
  const byline = meta.byline ?? cleanByline(parsed?.byline);
  const publication = meta.publication ?? (parsed?.siteName?.trim() || undefined);
  const found: ArticleMetadata = {
    ...(title ? { title } : {}),
    ...(byline ? { byline } : {}),
    ...(meta.url ? { url: meta.url } : {}),
    ...(publication ? { publication } : {}),
  };
  return assembleArticle(found, paragraphs, rules, fallback);
}

interface MinimalElement {
  readonly textContent: string | null;
  querySelector(selector: string): unknown;
  remove(): void;
}

interface BlockDocument {
  querySelectorAll(selector: string): Iterable<MinimalElement>;
}

/** Text of each block element; nested blocks (a <p> in a <blockquote>) at the innermost level only. */
function innermostBlocks(document: BlockDocument): string[] {
  const out: string[] = [];
  for (const element of document.querySelectorAll(BLOCKS)) {
    if (element.querySelector(BLOCKS)) continue;
    out.push(element.textContent ?? '');
  }
  return out;
}

function fallbackBlocks(raw: string): string[] {
  const html = /<(html|body)[\s>]/i.test(raw)
    ? spaceBreaks(raw)
    : `<!doctype html><html><body>${spaceBreaks(raw)}</body></html>`;
  const { document } = parseHTML(html);
  for (const element of [...document.querySelectorAll(FURNITURE)]) element.remove();
  const blocks = innermostBlocks(document);
  if (blocks.length > 0) return blocks;
  return (document.body?.textContent ?? '').split(/\n{2,}/);
}

/** A line break separates words: textContent would run "line one<br>line two" together. */
function spaceBreaks(html: string): string {
  return html.replace(/<br\s*\/?>/gi, '<br> ');
}

/** Readability reads `<meta name="author">` itself: a profile URL is no name, "By X" is X. */
function cleanByline(byline: string | null | undefined): string | undefined {
  const text = byline?.trim();
  if (!text || /^https?:/i.test(text)) return undefined;
  return bylineName(text) || undefined;
}

interface MinimalDocument {
  querySelector(
    selector: string,
  ): { getAttribute(name: string): string | null; textContent: string | null } | null;
}

function readPageMetadata(document: MinimalDocument): ArticleMetadata {
  const attr = (selector: string, name: string) =>
    document.querySelector(selector)?.getAttribute(name)?.trim() || undefined;
  const title = attr('meta[property="og:title"]', 'content') ?? attr('meta[name="twitter:title"]', 'content');
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
