import { CANDIDATE_SOURCE, endsSentence } from './segment-sentences.js';

/**
 * Cuts a text that is longer than a post into pieces that fit, at the best place available in the
 * later half of what fits: the end of a sentence inside it (a quotation of several sentences), a
 * clause boundary (`;`, `:`, a dash, then a comma; the CJK marks too, which need no space), else the
 * last word boundary, and only for a single token longer than a whole post at a grapheme boundary
 * (so emoji with modifiers, flags and combining marks are never broken). That last case is reported
 * as `forced`, because the post then ends mid-word and an editor should know.
 *
 * Pieces are exact substrings of the text: apart from the forced case and the CJK marks (which take
 * no space), a cut is always at whitespace, so a URL, a domain, an e-mail address or a number ("2.5",
 * "5,500", "3:27") is never cut, and joining the pieces with the whitespace between them gives the
 * text back.
 */
export interface CutResult {
  readonly pieces: string[];
  /** Where each piece is in the text given: `text.slice(start, end) === pieces[i]`. */
  readonly spans: [start: number, end: number][];
  /** True when some piece had to be cut inside a word (a token longer than a post). */
  readonly forced: boolean;
}

interface Boundary {
  /** Matches what stays with the first piece: the cut is at the end of the match, or at `cut`. */
  readonly pattern: RegExp;
  readonly cut?: (match: RegExpMatchArray) => number;
  /** Decides a match, given the whole text (the pattern runs on a window of it). */
  readonly accept?: (text: string, match: RegExpMatchArray) => boolean;
}

// A closing quotation mark may stand between the punctuation and the space: `ours,” said`.
const BOUNDARY_PRIORITY: readonly Boundary[] = [
  {
    // The segmenter's own rule: "…foreign ones. Yes, bandits…", but not "Dr. Okafor", "John F.
    // Kennedy" or "example.com"; the cut is before the whitespace (group 3).
    pattern: new RegExp(`${CANDIDATE_SOURCE}|[。！？]+[”」』）]*`, 'gu'),
    cut: (m) => (m.index ?? 0) + m[0].length - (m[3]?.length ?? 0),
    accept: (text, m) =>
      m[1] === undefined ||
      endsSentence(text, 0, m.index ?? 0, m[1], m[2] ?? '', (m.index ?? 0) + m[0].length),
  },
  { pattern: /[;:]["”’»]?(?=\s)|[；：][”」』）]*/gu },
  { pattern: /(?<=\s)[—–](?=\s)/gu },
  { pattern: /,["”’»]?(?=\s)|[，、]/gu },
];

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function cutToFit(text: string, budget: number, measure: (text: string) => number): CutResult {
  const spans: [number, number][] = [];
  let forced = false;
  // `rest` is always text.slice(offset, end): a suffix of the text without surrounding whitespace.
  const end = text.trimEnd().length;
  let offset = end - text.slice(0, end).trimStart().length;
  let rest = text.slice(offset, end);
  while (rest.length > 0) {
    const fits = longestFittingPrefix(rest, budget, measure);
    if (fits >= rest.length) break;
    let cut = bestBoundary(rest, fits);
    if (cut === undefined) {
      cut = graphemeBoundaryAtOrBefore(rest, fits);
      forced = true;
    }
    if (cut <= 0) {
      // Not even one grapheme fits (budget smaller than one emoji): give it a post of its own.
      cut = firstGraphemeEnd(rest);
      forced = true;
    }
    const piece = rest.slice(0, cut).trimEnd();
    spans.push([offset, offset + piece.length]);
    const next = rest.slice(cut);
    const skipped = cut + next.length - next.trimStart().length;
    offset += skipped;
    rest = rest.slice(skipped);
  }
  if (rest.length > 0) spans.push([offset, offset + rest.length]);
  return { pieces: spans.map(([s, e]) => text.slice(s, e)), spans, forced };
}

/**
 * The largest character count whose prefix fits (measure is monotone in the prefix). The window
 * starts at `budget` characters and doubles, then a binary search settles it, so only prefixes of
 * about one post are measured: measuring the whole rest of a 5,000-character token each time was
 * the slow part (twitter-text takes ~0.4 s on one such text).
 */
function longestFittingPrefix(text: string, budget: number, measure: (text: string) => number): number {
  const fits = (count: number) => measure(text.slice(0, count).trimEnd()) <= budget;
  let lo = 0; // a prefix that fits (the empty one does)
  let hi = Math.min(text.length, Math.max(1, budget));
  while (fits(hi)) {
    if (hi >= text.length) return text.length;
    lo = hi;
    hi = Math.min(text.length, hi * 2);
  }
  // Now the prefix of `lo` characters fits and the prefix of `hi` does not.
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** End index (exclusive) of the first piece, cut at a boundary within `limit` characters. */
function bestBoundary(text: string, limit: number): number | undefined {
  const floor = Math.floor(limit / 2);
  const window = text.slice(0, limit + 16); // a little beyond, for the look-aheads
  for (const { pattern, cut, accept } of BOUNDARY_PRIORITY) {
    let best: number | undefined;
    for (const match of window.matchAll(pattern)) {
      const end = cut ? cut(match) : (match.index ?? 0) + match[0].length;
      if (end <= limit && end >= floor && end < text.length && (!accept || accept(text, match))) best = end;
    }
    if (best !== undefined) return best;
  }
  // The last word boundary: any whitespace, never a period or a slash inside a token.
  for (let i = Math.min(limit, text.length - 1); i > 0; i--) if (/\s/.test(text[i]!)) return i;
  return undefined;
}

/** The last grapheme boundary at or before `limit` (32 characters of look-ahead settle clusters). */
function graphemeBoundaryAtOrBefore(text: string, limit: number): number {
  if (limit >= text.length) return text.length;
  let best = 0;
  for (const { index } of graphemes.segment(text.slice(0, limit + 32))) {
    if (index > limit) break;
    best = index;
  }
  return best;
}

function firstGraphemeEnd(text: string): number {
  const first = graphemes.segment(text)[Symbol.iterator]().next().value;
  return first ? first.segment.length : text.length;
}
