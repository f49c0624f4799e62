import { type BoilerplateKind, bylineName, type Furniture } from './boilerplate.js';
import type { ArticleMetadata } from './ingest-text.js';

/**
 * What the HTML and Markdown readers decide, without a parser: which markup names newsroom furniture,
 * which page metadata is believable, what a caption is called, how front matter and character
 * references read. The readers themselves (adapters/document/) walk linkedom's DOM and marked's
 * tokens and ask these questions of plain strings.
 */

/**
 * Newsroom furniture named by the markup itself: a word of an element's class or id (split at
 * "-", "_" and camelCase, so "wp-caption-text", "article__byline" and "RelatedStories" count).
 */
const MARKUP_FURNITURE: Readonly<Record<string, BoilerplateKind>> = {
  caption: 'caption',
  captions: 'caption',
  credit: 'caption',
  credits: 'caption',
  byline: 'byline',
  bylines: 'byline',
  related: 'related',
  newsletter: 'promo',
  newsletters: 'promo',
  subscribe: 'promo',
  share: 'promo',
  sharing: 'promo',
};

/** An HTML element as far as furniture goes: its tag, class and id, and whether it holds a quotation. */
export interface MarkupElement {
  readonly tag: string;
  readonly className: string | null;
  readonly id: string | null;
  readonly holdsBlockquote: boolean;
}

/** The furniture an element is by its markup alone (<figcaption>, <figure>, class or id), if any. */
export function markupFurnitureKind(element: MarkupElement): BoilerplateKind | undefined {
  const tag = element.tag.toLowerCase();
  if (tag === 'figcaption') return 'caption';
  // A <figure> holds an image and its caption; one that holds a quotation keeps it (its caption goes).
  if (tag === 'figure' && !element.holdsBlockquote) return 'caption';
  const words = `${element.className ?? ''} ${element.id ?? ''}`
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .toLowerCase()
    .split(/[\s_-]+/);
  for (const word of words) {
    const kind = MARKUP_FURNITURE[word];
    if (kind) return kind;
  }
  return undefined;
}

/** `<tag class="…">` (or its id), clipped, as a removal reason shows it. */
export function describeMarkup(element: Omit<MarkupElement, 'holdsBlockquote'>): string {
  const tag = element.tag.toLowerCase();
  const cls = element.className?.trim();
  const id = element.id?.trim();
  const attr = cls ? ` class="${cls.slice(0, 40)}"` : id ? ` id="${id.slice(0, 40)}"` : '';
  return `<${tag}${attr}>`;
}

/** A byline as a page gives it (Readability reads `<meta name="author">`): a profile URL is no name, "By X" is X. */
export function cleanByline(byline: string | null | undefined): string | undefined {
  const text = byline?.trim();
  if (!text || /^https?:/i.test(text)) return undefined;
  return bylineName(text) || undefined;
}

/** The page's own metadata as found (og:title, author, canonical link, site name), blanks already dropped. */
export interface PageMetadataValues {
  readonly title?: string | undefined;
  readonly byline?: string | undefined;
  readonly url?: string | undefined;
  readonly publication?: string | undefined;
}

/** Keeps what is believable: an author that is not a URL, a link that is an http(s) URL. */
export function pageMetadata(found: PageMetadataValues): ArticleMetadata {
  const { title, byline, url, publication } = found;
  return {
    ...(title ? { title } : {}),
    ...(byline && !/^https?:/.test(byline) ? { byline } : {}),
    ...(url && /^https?:\/\//.test(url) ? { url } : {}),
    ...(publication ? { publication } : {}),
  };
}

/** A photo caption or credit found by its place in the document ("text beside an image"). */
export function captionFurniture(where: string, text: string): Furniture {
  return { kind: 'caption', reason: `photo caption or credit (${where}: ${clip(text, 40)})` };
}

function clip(text: string, max: number): string {
  const trimmed = text.trim();
  return trimmed.length <= max ? trimmed : `${trimmed.slice(0, max - 1)}…`;
}

/** Entities Markdown writers use in prose; marked leaves them for an HTML renderer. */
const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  mdash: '—',
  ndash: '–',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  pound: '£',
  deg: '°',
  times: '×',
  middot: '·',
  bull: '•',
};

/** Decodes named (the list above) and numeric character references; others are left as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#\d{1,7}|#x[\da-f]{1,6}|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] !== '#') return NAMED_ENTITIES[name] ?? whole;
    const code =
      name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
      ? String.fromCodePoint(code)
      : whole;
  });
}

const FRONT_MATTER_KEYS: Record<string, keyof ArticleMetadata> = {
  title: 'title',
  author: 'byline',
  byline: 'byline',
  url: 'url',
  canonical_url: 'url',
  publication: 'publication',
};

/** A leading `---` block of `key: value` lines (the common subset of YAML front matter). */
export function readFrontMatter(text: string): { meta: ArticleMetadata; rest: string } {
  const match = /^---\n([\s\S]*?)\n---(?:\n|$)/.exec(text.trimStart());
  if (!match) return { meta: {}, rest: text };
  const meta: Record<string, string> = {};
  for (const line of (match[1] ?? '').split('\n')) {
    const kv = /^([A-Za-z_]+)\s*:\s*(.*)$/.exec(line);
    const key = kv && FRONT_MATTER_KEYS[kv[1]!.toLowerCase()];
    const value = kv?.[2]?.replace(/^["']|["']$/g, '').trim();
    if (key && value) meta[key] = value;
  }
  return { meta, rest: text.trimStart().slice(match[0].length) };
}
