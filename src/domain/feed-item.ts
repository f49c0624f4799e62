/**
 * One entry of an RSS, Atom or JSON Feed document, as the feed adapter hands it over: plain fields,
 * absolute http(s) links, HTML bodies (Atom `text` already escaped), dates only when they carried a
 * time zone. The adapter (src/adapters/feeds/) is the only place that knows the formats; it is
 * reached through the FeedFetcher port (src/ports/feed-fetcher.ts).
 */
export interface FeedItem {
  /** guid / id, else the link: stable across polls unless the feed rewrites it. */
  readonly id: string;
  readonly url?: string;
  readonly title: string;
  /** The full body (content:encoded, Atom content, JSON content_html), as HTML. */
  readonly contentHtml?: string;
  /** description / summary, as HTML: often a teaser, then the article is fetched from `url`. */
  readonly summary?: string;
  readonly published?: Date;
  readonly updated?: Date;
  readonly categories: readonly string[];
  readonly authors: readonly string[];
}

/** The item's text for keyword filters: title, categories and summary, lower-cased. */
function filterText(item: FeedItem): string {
  return [item.title, ...item.categories, item.summary ?? ''].join(' \n ').toLowerCase();
}

function hasWord(text: string, word: string): boolean {
  const w = word.trim().toLowerCase();
  if (w === '') return false;
  // Whole words (or phrases), not substrings: "art" does not match "start".
  const escaped = w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'u').test(text);
}

export interface FeedFilter {
  /** Keep only items with one of these words; empty: keep all. */
  readonly include: readonly string[];
  /** Drop items with any of these words. */
  readonly exclude: readonly string[];
  /** Keep only items in one of these categories (exact, case-insensitive); empty: all. */
  readonly categories: readonly string[];
}

/** Plain words, case-insensitive, on title + categories + summary; never user-written regexes. */
export function passesFilter(item: FeedItem, filter: FeedFilter): boolean {
  const text = filterText(item);
  if (filter.include.length > 0 && !filter.include.some((w) => hasWord(text, w))) return false;
  if (filter.exclude.some((w) => hasWord(text, w))) return false;
  if (filter.categories.length > 0) {
    const mine = new Set(item.categories.map((c) => c.trim().toLowerCase()));
    if (!filter.categories.some((c) => mine.has(c.trim().toLowerCase()))) return false;
  }
  return true;
}
