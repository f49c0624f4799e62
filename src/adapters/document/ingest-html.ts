import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { isListItem } from '../../domain/article.js';
import {
  type CompiledBoilerplateRules,
  FURNITURE_LABELS,
  type RemovedParagraph,
} from '../../domain/boilerplate.js';
import {
  cleanByline,
  describeMarkup,
  type MarkupElement,
  markupFurnitureKind,
  pageMetadata,
} from '../../domain/ingest-markup.js';
import { type ArticleMetadata, assembleArticle, type IngestResult } from '../../domain/ingest-text.js';
import { toParagraph } from '../../domain/normalize-text.js';

const BLOCKS = 'p, li, blockquote, h2, h3, h4, h5, h6, pre';
const BLOCK_TAGS = new Set(['p', 'blockquote', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre']);

/** Page furniture removed before the fallback reads blocks (Readability removes it by itself). */
const FURNITURE =
  'nav, header, footer, aside, script, style, noscript, form, template, [role="navigation"], [role="banner"], [role="contentinfo"], .ad, .ads, .advert, .advertisement, .sponsored';

/**
 * HTML: newsroom furniture the markup names (<figcaption>, a <figure> around an image, elements
 * whose class or id says caption, credit, byline, related, newsletter or share) is removed first
 * and reported; then Mozilla Readability finds the main article text (navigation, ads and footers
 * go). Title, author, canonical URL and site name come from the page's own metadata where present,
 * else from a byline element. On a page too short for Readability (under its character threshold
 * it returns the whole body, and nothing for a bare fragment) navigation, header, footer and
 * asides are removed here. List items keep a marker: "• " in <ul>, their number in <ol>.
 */
export function ingestHtml(
  raw: string,
  rules: CompiledBoilerplateRules,
  fallback: ArticleMetadata = {},
): IngestResult {
  const document = parseDocument(raw);
  const meta = readPageMetadata(document);
  const pageTitle = document.querySelector('title')?.textContent?.trim() || undefined;
  // Readability mutates the document and drops class names, so metadata and furniture come first.
  const markup = removeMarkupFurniture(document);
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
    paragraphs = readBlocks(content.body);
    if (paragraphs.length === 0 && parsed.textContent) paragraphs.push(...parsed.textContent.split(/\n{2,}/));
  }
  if (paragraphs.every((p) => !p.trim())) paragraphs = fallbackBlocks(raw);
  // Readability's title drops a " | Site name" suffix that <title> usually carries.
  const title = meta.title ?? (parsed?.title?.trim() || undefined) ?? pageTitle;
  const byline = meta.byline ?? markup.byline ?? cleanByline(parsed?.byline);
  const publication = meta.publication ?? (parsed?.siteName?.trim() || undefined);
  const found: ArticleMetadata = {
    ...(title ? { title } : {}),
    ...(byline ? { byline } : {}),
    ...(meta.url ? { url: meta.url } : {}),
    ...(publication ? { publication } : {}),
  };
  const result = assembleArticle(found, paragraphs, rules, fallback);
  return { ...result, removed: [...markup.removed, ...result.removed] };
}

/**
 * linkedom's document for the page. A fragment is read as a page's body: linkedom makes a fragment's
 * first element the root (`<article>` with an empty head and body inside it, the text beside
 * them), where Readability climbs from the text towards a <body> that is not there and throws; and
 * text with no element at all ("\u0001", "a < b") gives no root, whose `body` getter throws.
 */
function parseDocument(raw: string): ReturnType<typeof parseHTML>['document'] {
  const { document } = parseHTML(raw);
  if (document.documentElement?.tagName === 'HTML') return document;
  return parseHTML(`<!doctype html><html><body>${raw}</body></html>`).document;
}

/** The parts of linkedom's DOM this module uses (the project compiles without the DOM library). */
interface HtmlElement {
  readonly tagName: string;
  readonly children: Iterable<HtmlElement>;
  readonly textContent: string | null;
  readonly parentElement: HtmlElement | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): HtmlElement | null;
  querySelectorAll(selector: string): Iterable<HtmlElement>;
  closest(selector: string): HtmlElement | null;
  contains(other: HtmlElement): boolean;
  cloneNode(deep: boolean): HtmlElement;
  after(text: string): void;
  remove(): void;
}

interface HtmlDocument {
  readonly body: HtmlElement;
  querySelectorAll(selector: string): Iterable<HtmlElement>;
}

/** Elements never removed as furniture, whatever their class says: they hold the article. */
const ARTICLE_CONTAINERS = 'html, body, main, article, [itemprop="articleBody"]';

function removeMarkupFurniture(document: HtmlDocument): { removed: RemovedParagraph[]; byline?: string } {
  const removed: RemovedParagraph[] = [];
  const gone: HtmlElement[] = [];
  let byline: string | undefined;
  const pageText = (document.body?.textContent ?? '').trim().length;
  for (const element of [...document.querySelectorAll('figure, figcaption, [class], [id]')]) {
    if (gone.some((g) => g.contains(element))) continue;
    const markup = markupOf(element);
    const kind = markupFurnitureKind(markup);
    if (!kind) continue;
    const text = spacedText(element);
    // A class on a wrapper ("story has-related-links") must not take the article with it.
    if (element.querySelector(ARTICLE_CONTAINERS) || element.closest(ARTICLE_CONTAINERS) === element)
      continue;
    if (pageText > 0 && text.length > pageText / 2) continue;
    if (kind === 'byline') byline ??= cleanByline(text);
    element.remove();
    gone.push(element);
    if (text)
      removed.push({
        kind,
        text,
        index: -1,
        reason: `${FURNITURE_LABELS[kind]} (HTML ${describeMarkup(markup)})`,
      });
  }
  return byline ? { removed, byline } : { removed };
}

/** What the domain's furniture rules read of an element. */
function markupOf(element: HtmlElement): MarkupElement {
  return {
    tag: element.tagName,
    className: element.getAttribute('class'),
    id: element.getAttribute('id'),
    holdsBlockquote:
      element.tagName.toLowerCase() === 'figure' && element.querySelector('blockquote') !== null,
  };
}

/**
 * Text of each block element in document order; nested blocks (a <p> in a <blockquote>) at the
 * innermost level only. A list item is one paragraph (its own <p>s joined), with its marker.
 */
function readBlocks(root: HtmlElement | null | undefined, out: string[] = []): string[] {
  for (const child of root?.children ?? []) {
    const tag = child.tagName.toLowerCase();
    if (tag === 'ul' || tag === 'ol') readList(child, out);
    else if (tag === 'li') readItem(child, '•', out);
    else if (BLOCK_TAGS.has(tag) && !child.querySelector(BLOCKS)) out.push(child.textContent ?? '');
    else readBlocks(child, out);
  }
  return out;
}

function readList(list: HtmlElement, out: string[]): void {
  const ordered = list.tagName.toLowerCase() === 'ol';
  let number = Number.parseInt(list.getAttribute('start') ?? '', 10);
  if (!Number.isFinite(number)) number = 1;
  for (const item of list.children) {
    if (item.tagName.toLowerCase() !== 'li') {
      readBlocks(item, out);
      continue;
    }
    const value = Number.parseInt(item.getAttribute('value') ?? '', 10);
    if (Number.isFinite(value)) number = value;
    readItem(item, ordered ? `${number}.` : '•', out);
    number++;
  }
}

/** An item's own text (nested lists follow it as items of their own), marker first. */
function readItem(item: HtmlElement, marker: string, out: string[]): void {
  const own = item.cloneNode(true);
  for (const nested of [...own.querySelectorAll('ul, ol')]) nested.remove();
  const text = spacedText(own);
  if (text) out.push(isListItem(text) ? text : `${marker} ${text}`);
  for (const nested of item.querySelectorAll('ul, ol')) {
    if (nested.parentElement?.closest('li') === item) readList(nested, out);
  }
}

/** Text with a space after each block, so "<li>one</li><li>two</li>" reads "one two". */
function spacedText(element: HtmlElement): string {
  const copy = element.cloneNode(true);
  for (const block of [...copy.querySelectorAll(BLOCKS)]) block.after(' ');
  return toParagraph(copy.textContent ?? '');
}

function fallbackBlocks(raw: string): string[] {
  const html = /<(html|body)[\s>]/i.test(raw)
    ? spaceBreaks(raw)
    : `<!doctype html><html><body>${spaceBreaks(raw)}</body></html>`;
  const { document } = parseHTML(html);
  removeMarkupFurniture(document);
  for (const element of [...document.querySelectorAll(FURNITURE)]) element.remove();
  const blocks = readBlocks(document.body);
  if (blocks.length > 0) return blocks;
  return (document.body?.textContent ?? '').split(/\n{2,}/);
}

/** A line break separates words: textContent would run "line one<br>line two" together. */
function spaceBreaks(html: string): string {
  return html.replace(/<br\s*\/?>/gi, '<br> ');
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
  return pageMetadata({ title, byline, url, publication });
}
