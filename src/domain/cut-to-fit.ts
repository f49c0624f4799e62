import { endsSentence } from './segment-sentences.js';

/**
 * Cuts a text that is longer than a post into pieces that fit, at the best place available in the
 * later half of what fits: the end of a sentence inside it (a quotation of several sentences), a
 * clause boundary (`;`, `:`, a dash, then a comma; the CJK marks too, which need no space), else the
 * last word boundary, and only for a single token longer than a whole post at a grapheme boundary
 * (so emoji with modifiers, flags and combining marks are never broken). That last case is reported
 * as `forced`, because the post then ends mid-word and an editor should know.
 */
export interface CutResult {
  readonly pieces: string[];
  /** True when some piece had to be cut inside a word (a token longer than a post). */
  readonly forced: boolean;
}

interface Boundary {
  /** Matches exactly what stays with the first piece: the cut is at the end of the match. */
  readonly pattern: RegExp;
  readonly accept?: (text: string, match: RegExpMatchArray) => boolean;
}

// A closing quotation mark may stand between the punctuation and the space: `ours,” said`.
const BOUNDARY_PRIORITY: readonly Boundary[] = [
  {
    // "…foreign ones. Yes, bandits…", but not "Dr. Okafor" or "John F. Kennedy"
    pattern: /([.!?…]+)(["”’»)]*)(?= ["“‘«(]*([\p{Lu}\p{Lt}\p{Lo}\p{N}]))|[。！？]+[”」』）]*/gu,
    accept: (text, m) =>
      m[1] === undefined || endsSentence(text.slice(0, m.index), m[1], m[2] ?? '', m[3] ?? ''),
  },
  { pattern: /[;:]["”’»]?(?= )|[；：][”」』）]*/gu },
  { pattern: /(?<= )[—–](?= )/gu },
  { pattern: /,["”’»]?(?= )|[，、]/gu },
];

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function cutToFit(text: string, budget: number, measure: (text: string) => number): CutResult {
  const pieces: string[] = [];
  let forced = false;
  let rest = text.trim();
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
    pieces.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest.length > 0) pieces.push(rest);
  return { pieces, forced };
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
  const window = text.slice(0, limit + 8); // a little beyond, for the look-aheads
  for (const { pattern, accept } of BOUNDARY_PRIORITY) {
    let best: number | undefined;
    for (const match of window.matchAll(pattern)) {
      const end = (match.index ?? 0) + match[0].length;
      if (end <= limit && end >= floor && end < text.length && (!accept || accept(window, match))) best = end;
    }
    if (best !== undefined) return best;
  }
  const space = text.lastIndexOf(' ', limit);
  return space > 0 ? space : undefined;
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
