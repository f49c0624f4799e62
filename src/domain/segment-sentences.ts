import sbd from 'sbd';

/**
 * Sentence segmentation. `sbd` (a maintained rule-based segmenter with an abbreviation list) does
 * better on news text than ICU's `Intl.Segmenter` (which cuts "Dr. Smith", initials and URLs with
 * query strings); see test/unit/segment-sentences.test.ts for the measured comparison. Two repairs
 * on top, both cases sbd gets wrong:
 * - a quotation with its own sentence punctuation stays whole: a sentence that leaves a quotation
 *   open is joined with the next one ("“Will he? Or not?” she asked." is one sentence);
 * - a "sentence" that starts in lower case continues the previous one ("…said on Jan. 7 the…").
 *
 * Sentences are returned as exact substrings of the paragraph (single spaces between them), so
 * joining them with spaces gives the paragraph back: nothing is lost or changed.
 */
const EXTRA_ABBREVIATIONS = [
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'gov',
  'sen',
  'rep',
  'gen',
  'col',
  'lt',
  'sgt',
  'capt',
  'cmdr',
  'adm',
  'rev',
  'hon',
  'pres',
  'st',
  'ave',
  'blvd',
  'mt',
  'ft',
  'no',
  'nos',
  'vol',
  'vols',
  'p',
  'pp',
  'fig',
  'approx',
  'est',
  'dept',
  'univ',
  'inc',
  'corp',
  'ltd',
  'co',
  'jr',
  'sr',
  'vs',
  'etc',
  'al',
];

const SBD_OPTIONS = {
  newline_boundaries: false,
  html_boundaries: false,
  sanitize: false,
  preserve_whitespace: false,
  abbreviations: [...new Set([...EXTRA_ABBREVIATIONS])],
};

/** Cuts one paragraph into sentences. */
export function segmentParagraph(paragraph: string): string[] {
  const text = paragraph.trim();
  if (!text) return [];
  const pieces = locate(text, sbd.sentences(text, SBD_OPTIONS));
  return mergeContinuations(pieces).flatMap(splitAfterClosedQuotation);
}

/** Every paragraph's sentences, in order, with the paragraph index of each. */
export function segmentSentences(paragraphs: readonly string[]): { text: string; paragraph: number }[] {
  return paragraphs.flatMap((p, paragraph) => segmentParagraph(p).map((text) => ({ text, paragraph })));
}

/**
 * Maps the segmenter's pieces back onto the paragraph: each piece's first word is found at or after
 * the cursor, so the result is exact substrings even if the library trims or re-spaces its output.
 */
function locate(text: string, pieces: readonly string[]): string[] {
  const starts: number[] = [0];
  let cursor = 0;
  for (const piece of pieces.slice(1)) {
    const head = piece.trim().slice(0, 12);
    const found = head ? text.indexOf(head, cursor + 1) : -1;
    if (found > cursor) {
      starts.push(found);
      cursor = found;
    }
  }
  return starts.map((start, i) => text.slice(start, starts[i + 1] ?? text.length).trim()).filter(Boolean);
}

const OPENING_QUOTES = '“‘«„';
const CLOSING_QUOTES = '”’»“';

function mergeContinuations(pieces: readonly string[]): string[] {
  const out: string[] = [];
  let pending: string | undefined;
  for (const piece of pieces) {
    if (pending === undefined) {
      pending = piece;
      continue;
    }
    if (quoteIsOpen(pending) || startsLowercase(piece) || continuesInitialism(pending, piece)) {
      pending = `${pending} ${piece}`;
    } else {
      out.push(pending);
      pending = piece;
    }
  }
  if (pending !== undefined) out.push(pending);
  return out;
}

/**
 * "the U.S. Senate" is one sentence, "moved to the U.S. They liked it" is two: after an initialism
 * the sentence goes on unless the next word is one that typically opens a sentence.
 */
const SENTENCE_OPENERS = new Set(
  (
    'the a an this that these those it its he she they we i you his her their our my there here ' +
    'but and so yet however meanwhile then now in on at for if when while as after before since ' +
    'what why how who where many some most all no one two three'
  ).split(' '),
);

function continuesInitialism(previous: string, next: string): boolean {
  if (!/(?:^|[\s(])(?:\p{Lu}\.){2,}$/u.test(previous)) return false;
  const word = /^\p{Lu}[\p{L}’'-]*/u.exec(next)?.[0];
  return word !== undefined && !SENTENCE_OPENERS.has(word.toLowerCase());
}

/**
 * sbd does not end a sentence at a closing quotation mark: `“Yes. No.” He left.` comes back as one.
 * Cut after a quotation that ends with sentence punctuation when a capitalised word follows and no
 * quotation is open at that point.
 */
function splitAfterClosedQuotation(sentence: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const match of sentence.matchAll(/[.!?…]["”»](?= +[\p{Lu}“"«])/gu)) {
    const end = (match.index ?? 0) + match[0].length;
    const head = sentence.slice(start, end);
    if (!quoteIsOpen(head)) {
      out.push(head.trim());
      start = end;
    }
  }
  out.push(sentence.slice(start).trim());
  return out.filter(Boolean);
}

function startsLowercase(piece: string): boolean {
  return /^\p{Ll}/u.test(piece);
}

/**
 * True when the text leaves a quotation open: more typographic opening than closing quotes, or an
 * odd number of straight double quotes. Apostrophes (’ inside words) are not quotes.
 */
export function quoteIsOpen(text: string): boolean {
  let depth = 0;
  for (const ch of text) {
    if (ch === '“' || ch === '«' || ch === '„') depth++;
    else if ((ch === '”' || ch === '»') && depth > 0) depth--;
  }
  if (depth > 0) return true;
  const straight = text.split('"').length - 1;
  return straight % 2 === 1;
}

export { CLOSING_QUOTES, OPENING_QUOTES };
