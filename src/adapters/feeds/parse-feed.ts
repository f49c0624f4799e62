import { type AtomFeed, type JsonFeed, parseFeed, type RssFeed } from 'feedsmith';
import type { FeedItem } from '../../domain/feed-item.js';

/**
 * feedsmith (3.0) documents into FeedItems. Chosen against rss-parser, @extractus/feed-extractor and
 * fast-xml-parser (the comparison is in the issue 12 note): it reads RSS content:encoded, guid
 * isPermaLink, dc:creator, Atom text/html/xhtml and JSON Feed 1.0/1.1, never expands DTD entities and
 * refuses external ones, and is typed. What it leaves to us is handled here: links made absolute
 * (RSS against the channel link, then the feed URL; Atom along the xml:base chain), a guid is a link
 * only when it is not isPermaLink="false" and is an absolute http(s) URL, Atom `text` escaped before
 * it is read as HTML, out-of-line content (src=) ignored, and dates read only with a time zone.
 */

/** Most items a document may give; a feed listing more is cut here (the newest come first). */
export const MAX_FEED_ITEMS = 500;

const ZONE = /(?:Z|[+-]\d{2}:?\d{2}|\b(?:GMT|UT|UTC|[ECMP][SD]T)\b)\s*$/i;

/** A feed date, or undefined when it has no time zone (never read in the server's local time). */
export function parseFeedDate(raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const s = raw.trim();
  if (!ZONE.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t);
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function absolute(href: string | undefined, base: string | undefined): string | undefined {
  if (href === undefined || href.trim() === '') return undefined;
  try {
    const u = new URL(href.trim(), base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

const HTML_TYPES = new Set(['html', 'xhtml', 'text/html', 'application/xhtml+xml']);
const TEXT_TYPES = new Set(['text', 'text/plain']);

/** Atom text constructs: html/xhtml as they are (feedsmith unwrapped the div), text escaped. */
function atomTextToHtml(t: AtomFeed.Text | AtomFeed.Content | undefined): string | undefined {
  if (t?.value === undefined) return undefined;
  const type = (t.type ?? 'text').toLowerCase();
  if (HTML_TYPES.has(type)) return t.value;
  if (TEXT_TYPES.has(type)) return escapeHtml(t.value);
  return undefined;
}

/** Titles are shown and filtered as plain text: tags dropped, the common entities read. */
function plainTitle(raw: string | undefined): string {
  return (raw ?? '')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

function dated(key: 'published' | 'updated', d: Date | undefined): Partial<Record<typeof key, Date>> {
  return d === undefined ? {} : { [key]: d };
}

function names(list: readonly (string | undefined)[]): string[] {
  return list.filter((s): s is string => s !== undefined && s.trim() !== '');
}

function fromRss(it: RssFeed.Item<string>, docUrl: string, channelLink: string | undefined) {
  const base = absolute(channelLink, docUrl) ?? docUrl;
  const guid = it.guid?.value?.trim();
  const guidUrl =
    guid !== undefined && it.guid?.isPermaLink !== false ? absolute(guid, undefined) : undefined;
  const url = absolute(it.link, base) ?? guidUrl;
  const id = guid || url;
  if (!id) return undefined;
  return item(id, url, plainTitle(it.title), it.content?.encoded, it.description, {
    ...dated('published', parseFeedDate(it.pubDate ?? it.dc?.dates?.[0])),
    categories: names((it.categories ?? []).map((c) => c.name)),
    authors: names([...(it.authors ?? []).map((a) => a.name ?? a.email), ...(it.dc?.creators ?? [])]),
  });
}

function fromAtom(e: AtomFeed.Entry<string>, docUrl: string, feed: AtomFeed.Feed<string>) {
  const feedBase = absolute(feed.xml?.base, docUrl) ?? docUrl;
  const entryBase = absolute(e.xml?.base, feedBase) ?? feedBase;
  const alternate =
    e.links?.find((l) => (l.rel ?? 'alternate') === 'alternate') ?? e.links?.find((l) => !l.rel);
  const url = absolute(alternate?.href, entryBase);
  const id = e.id?.trim() || url;
  if (!id) return undefined;
  const content = e.content?.src === undefined ? atomTextToHtml(e.content) : undefined;
  return item(id, url, plainTitle(e.title?.value), content, atomTextToHtml(e.summary), {
    ...dated('published', parseFeedDate(e.published ?? e.updated)),
    ...dated('updated', parseFeedDate(e.updated)),
    categories: names((e.categories ?? []).map((c) => c.label ?? c.term)),
    authors: names((e.authors ?? feed.authors ?? []).map((a) => a.name)),
  });
}

function fromJson(it: JsonFeed.Item<string>, docUrl: string, feed: JsonFeed.Feed<string>) {
  const url = absolute(it.url, docUrl);
  const id = it.id?.trim() || url;
  if (!id) return undefined;
  const content =
    it.content_html ?? (it.content_text !== undefined ? `<p>${escapeHtml(it.content_text)}</p>` : undefined);
  const summary = it.summary === undefined ? undefined : escapeHtml(it.summary);
  return item(id, url, plainTitle(it.title), content, summary, {
    ...dated('published', parseFeedDate(it.date_published)),
    ...dated('updated', parseFeedDate(it.date_modified)),
    categories: it.tags ?? [],
    authors: names((it.authors ?? feed.authors ?? []).map((a) => a.name)),
  });
}

function item(
  id: string,
  url: string | undefined,
  title: string,
  contentHtml: string | undefined,
  summary: string | undefined,
  rest: Pick<FeedItem, 'categories' | 'authors' | 'published' | 'updated'>,
): FeedItem {
  return {
    id,
    ...(url !== undefined ? { url } : {}),
    title,
    ...(contentHtml !== undefined && contentHtml.trim() !== '' ? { contentHtml } : {}),
    ...(summary !== undefined && summary.trim() !== '' ? { summary } : {}),
    ...rest,
  };
}

export class FeedParseError extends Error {
  override readonly name = 'FeedParseError';
}

/**
 * The items of a decoded document, in document order. `docUrl`: the final URL it was fetched from.
 * Throws FeedParseError on something that is not a feed (an HTML page, an unknown format).
 */
export function parseFeedItems(text: string, docUrl: string): FeedItem[] {
  return firstOfEachId(readItems(parseOrExplain(text), docUrl));
}

function readItems(parsed: ReturnType<typeof parseOrExplain>, docUrl: string): (FeedItem | undefined)[] {
  switch (parsed.format) {
    case 'rss':
      return (parsed.feed.items ?? []).map((i) => fromRss(i, docUrl, parsed.feed.link));
    case 'atom':
      return (parsed.feed.entries ?? []).map((e) => fromAtom(e, docUrl, parsed.feed));
    case 'json':
      return (parsed.feed.items ?? []).map((i) => fromJson(i, docUrl, parsed.feed));
    default:
      throw new FeedParseError(`${parsed.format} feeds are not read (RSS 2.0, Atom and JSON Feed are)`);
  }
}

/** An id listed twice (a CMS glitch) is one item: the first listing, the one readers see on top. */
function firstOfEachId(items: readonly (FeedItem | undefined)[]): FeedItem[] {
  const seen = new Set<string>();
  return items.filter((x): x is FeedItem => {
    if (x === undefined || seen.has(x.id)) return false;
    seen.add(x.id);
    return true;
  });
}

function parseOrExplain(text: string) {
  try {
    return parseFeed(text, { maxItems: MAX_FEED_ITEMS });
  } catch (error) {
    throw new FeedParseError(
      `not a feed this reader understands (RSS, Atom or JSON Feed): ${describe(error)}`,
      { cause: error },
    );
  }
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.slice(0, 200) ?? 'unreadable';
}

/**
 * The document's text: a byte order mark, then the Content-Type charset, then the XML declaration's
 * encoding, else UTF-8. An unknown label falls back to UTF-8 rather than failing the poll.
 */
export function decodeFeed(bytes: Uint8Array, contentType: string): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decode(bytes.subarray(3), 'utf-8');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decode(bytes.subarray(2), 'utf-16be');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decode(bytes.subarray(2), 'utf-16le');
  const header = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1];
  if (header) return decode(bytes, header);
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  const declared = /^<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head)?.[1];
  return decode(bytes, declared ?? 'utf-8');
}

function decode(bytes: Uint8Array, label: string): string {
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}
