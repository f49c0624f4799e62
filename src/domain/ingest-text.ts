import { type Article, isListItem } from './article.js';
import {
  type CompiledBoilerplateRules,
  furnitureAnywhere,
  isEndMarker,
  type RemovedParagraph,
  removeBoilerplate,
  type SourceParagraph,
} from './boilerplate.js';
import { normalizeText, splitParagraphs, toParagraph } from './normalize-text.js';
import { sentenceSpans } from './segment-sentences.js';

/** Metadata that does not come from the text itself (config defaults, CLI flags). */
export interface ArticleMetadata {
  readonly title?: string;
  readonly byline?: string;
  readonly url?: string;
  readonly publication?: string;
}

export interface IngestResult {
  readonly article: Article;
  /** Furniture that was dropped, each with its kind and reason, so an editor can see why. */
  readonly removed: readonly RemovedParagraph[];
}

/** Builds an article from a title and raw body paragraphs, dropping furniture. */
export function assembleArticle(
  found: ArticleMetadata,
  rawParagraphs: readonly SourceParagraph[],
  rules: CompiledBoilerplateRules,
  fallback: ArticleMetadata,
): IngestResult {
  const clean = (text: string) => toParagraph(normalizeText(text));
  const paragraphs = rawParagraphs
    .flatMap((p): SourceParagraph[] => (typeof p === 'string' ? isolateEndMarkers(p, rules) : [p]))
    .map((p) => (typeof p === 'string' ? clean(p) : { ...p, text: clean(p.text) }))
    .filter((p) => (typeof p === 'string' ? p : p.text).length > 0);
  const { body, removed, byline: strayByline } = removeBoilerplate(paragraphs, rules);
  const byline = within(found.byline, MAX_METADATA.byline) ?? fallback.byline ?? strayByline;
  const title = within(found.title, MAX_METADATA.title) ?? fallback.title ?? '';
  const url = within(found.url, MAX_METADATA.url) ?? fallback.url;
  const publication = within(found.publication, MAX_METADATA.publication) ?? fallback.publication;
  return {
    article: {
      title: clean(title),
      ...(byline ? { byline: clean(byline) } : {}),
      ...(url ? { url } : {}),
      ...(publication ? { publication } : {}),
      paragraphs: body.flatMap(cutLongParagraph),
    },
    removed,
  };
}

/**
 * The longest metadata the article itself may give (a page's <title>, author, canonical link, site
 * name); longer is not what it claims to be, and is ignored as if absent. A headline runs to about
 * 150 characters and an author line to 80; a page could otherwise make every channel's template too
 * long ("the thread's first template needs 5,007 of 600 characters").
 */
export const MAX_METADATA = { title: 300, byline: 100, url: 500, publication: 100 } as const;

function within(value: string | undefined, max: number): string | undefined {
  return value !== undefined && value.length <= max ? value : undefined;
}

/**
 * The longest paragraph kept whole. No paragraph of an article comes near it (a whole 16 KB article
 * pasted without a line break is a third of it), but a 5 MB line is one: finding quotations and
 * speakers looks back over the paragraph for each quotation, so splitting it took 16 s on the
 * daemon's thread, and 2 s once cut at 50,000 characters.
 */
export const MAX_PARAGRAPH_CHARS = 50_000;

/**
 * A paragraph over MAX_PARAGRAPH_CHARS, cut into paragraphs at sentence ends (never inside a
 * sentence or an open quotation: one sentence longer than that stays whole). Only the space
 * between two sentences becomes a paragraph break; every character stays.
 */
export function cutLongParagraph(paragraph: string): string[] {
  if (paragraph.length <= MAX_PARAGRAPH_CHARS) return [paragraph];
  const pieces: string[] = [];
  let start = 0;
  let end = 0;
  for (const [from, to] of sentenceSpans(paragraph)) {
    if (to - start > MAX_PARAGRAPH_CHARS && end > start) {
      pieces.push(paragraph.slice(start, end));
      start = from;
    }
    end = to;
  }
  pieces.push(paragraph.slice(start, end));
  return pieces;
}

/**
 * An end-marker line is a paragraph of its own even without blank lines around it, so that a
 * release pasted with single newlines ("… last sentence.\n-end-\nJane Smith\n202-555-0100") does
 * not join its contact block to the last body paragraph.
 */
function isolateEndMarkers(raw: string, rules: CompiledBoilerplateRules): string[] {
  const lines = raw.split('\n');
  if (lines.length === 1) return [raw];
  const out: string[] = [];
  let start = 0;
  lines.forEach((line, i) => {
    if (!isEndMarker(line, rules)) return;
    out.push(lines.slice(start, i).join('\n'), line);
    start = i + 1;
  });
  out.push(lines.slice(start).join('\n'));
  return out.filter((part) => part.trim());
}

/** Furniture lines that may stand above the title ("FOR IMMEDIATE RELEASE", a dateline). */
const MAX_LINES_ABOVE_TITLE = 5;

/**
 * Plain text: blank lines separate paragraphs. The first line is the title when it looks like one
 * (see `looksLikeTitle`) and text follows it; otherwise all of it is body and the title is empty.
 * Furniture lines above the title (a dateline, a language switch) are paragraphs of their own, so
 * they are dropped and reported like any other.
 */
export function ingestText(
  raw: string,
  rules: CompiledBoilerplateRules,
  fallback: ArticleMetadata = {},
): IngestResult {
  const text = normalizeText(raw).trim();
  const lines = text.split('\n').map((line) => line.trim());
  const above: string[] = [];
  let first = 0;
  while (first < lines.length && above.length < MAX_LINES_ABOVE_TITLE) {
    const line = lines[first]!;
    if (line && !isFurnitureAboveTitle(line, rules)) break;
    if (line) above.push(line);
    first++;
  }
  const candidate = lines[first] ?? '';
  const rest = lines.slice(first + 1).join('\n');
  const titled =
    (looksLikeTitle(candidate, lines[first + 1] ?? '') || headlineAboveByline(lines, first, rules)) &&
    rest.trim().length > 0;
  // splitParagraphs reads indentation (a wrapped list item), so it gets the untrimmed lines.
  const untrimmed = text.split('\n');
  const body = untrimmed.slice(titled ? first + 1 : first).join('\n');
  const paragraphs = [...above, ...splitParagraphs(isolateEndMarkers(body, rules).join('\n\n'))];
  return assembleArticle(titled ? { title: candidate } : {}, paragraphs, rules, fallback);
}

/**
 * A headline may end like a sentence ("Free Buses Won't Fix the City. Frequent Ones Will."); a short
 * first line standing alone above a "By …" byline is one all the same.
 */
function headlineAboveByline(
  lines: readonly string[],
  first: number,
  rules: CompiledBoilerplateRules,
): boolean {
  const line = lines[first] ?? '';
  if (lines[first + 1] !== '' || isListItem(line)) return false;
  if (line.length > TITLE_MAX_CHARS || line.split(/\s+/).length > TITLE_MAX_WORDS) return false;
  const next = lines.slice(first + 1).find((l) => l !== '') ?? '';
  return /^by\s/i.test(next) && furnitureAnywhere(next, rules)?.kind === 'byline';
}

/** A bare name could be a headline ("Harbour Tram Reopens" has the same shape); "By …" could not. */
function isFurnitureAboveTitle(line: string, rules: CompiledBoilerplateRules): boolean {
  const found = furnitureAnywhere(line, rules);
  return found !== undefined && (found.kind !== 'byline' || /^(?:\S+\s+)?by\s/i.test(line));
}

/**
 * Headlines run to about 150 characters at most (a long press-release headline is 90 to 130) and
 * 20 words; a first line longer than either is a paragraph that happens to have no line breaks.
 */
export const TITLE_MAX_CHARS = 150;
export const TITLE_MAX_WORDS = 20;
/** A question is a headline only when short ("Will the Tram Pay Off?"); a long one opens the body. */
const QUESTION_TITLE_MAX_CHARS = 100;
const QUESTION_TITLE_MAX_WORDS = 12;

/** Words a headline does not end on but a hard-wrapped line of a sentence often does. */
const DANGLING = new Set(['a', 'an', 'the', 'and', 'or', 'but', 'of', 'that', 'which', 'who', 'with']);

/**
 * A first line is a title when it is short, does not end like a sentence (".", "!", "…", ":", ";",
 * ","; a "?" only when short; a final "U.S." or "Inc." is an abbreviation, not an end), is no list
 * item, and is not the first line of a wrapped sentence (the next line continues in lower case, or
 * it ends on "the", "and", "of" …).
 */
export function looksLikeTitle(line: string, nextLine = ''): boolean {
  const text = line.trim();
  if (!text || text.length > TITLE_MAX_CHARS || isListItem(text)) return false;
  const words = text.split(/\s+/);
  if (words.length > TITLE_MAX_WORDS) return false;
  const bare = text.replace(/["'”’»)\]]+$/u, '');
  const last = bare.at(-1) ?? '';
  if (last === '?' && (text.length > QUESTION_TITLE_MAX_CHARS || words.length > QUESTION_TITLE_MAX_WORDS))
    return false;
  if (last === '.' && !/(?:\b\p{L}\.){2,}$|\b(?:Inc|Ltd|Co|Corp|Jr|Sr|St|Mt|Bros)\.$/u.test(bare))
    return false;
  if ('!…:;,'.includes(last)) return false;
  if (/^\p{Ll}/u.test(nextLine.trim())) return false;
  return !DANGLING.has((words.at(-1) ?? '').toLowerCase());
}
