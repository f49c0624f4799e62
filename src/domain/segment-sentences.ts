import sbd from 'sbd';

/**
 * Sentence segmentation. `sbd` (a maintained rule-based segmenter with an abbreviation list) does
 * better on news text than ICU's `Intl.Segmenter` (which cuts "Dr. Smith", initials and URLs with
 * query strings); see test/unit/segment-sentences.test.ts for the measured comparison. Repairs on
 * top, all cases sbd gets wrong:
 * - a period after an ordinary word ends the sentence: sbd keeps going after a short capitalised word
 *   ("I met Tom. He was late.") and knows no "…";
 * - a quotation with its own sentence punctuation stays whole: a sentence that leaves a quotation
 *   (or a parenthesis) open is joined with the next one ("“Will he? Or not?” she asked.");
 * - a "sentence" that starts in lower case continues the previous one ("…said on Jan. 7 the…"),
 *   unless its first word is a camel-cased name ("iPhone sales fell");
 * - sbd does not end a sentence at a closing quotation mark: `“Yes. No.” He left.` is cut there.
 *
 * Sentences are returned as exact substrings of the paragraph (single spaces between them), so
 * joining them with spaces gives the paragraph back: nothing is lost or changed.
 */
/**
 * Abbreviations whose period does not end a sentence even before a capital ("Dr. Okafor",
 * "Jan. 7", "St. Louis"). Lower case; matched case-insensitively. sbd's own list is replaced, not
 * extended, by the option (and matched case-sensitively), so the whole list lives here. Left out on
 * purpose: "etc." and "no." (before a word), which end sentences ("apples, pears, etc. Then we
 * left", "one more time no. President Smith…"), and words that are also ordinary words ("sat",
 * "sun", "mon", "miss").
 */
const ABBREVIATIONS = new Set(
  // titles and ranks
  (
    'mr mrs ms mx messrs mme mlle dr prof rev fr sr sra jr st gen lt col maj capt cmdr cdr adm sgt ' +
    'cpl pvt brig gov sen rep pres hon supt insp det atty cllr amb ' +
    // months and weekdays
    'jan feb mar apr jun jul aug sep sept oct nov dec tue tues wed thu thur thurs fri ' +
    // everything else that is normally followed by more of the sentence
    'vs v al approx est dept univ inc corp co ltd bros assn ave blvd mt ft cf viz eg ie'
  ).split(' '),
);

/** Abbreviations that do not end a sentence before a number only: "No. 1", "Vol. 3", "p. 12". */
const NUMBER_ABBREVIATIONS = new Set(
  'no nos vol vols fig figs ch chap p pp art arts sec sect ext tel op ed eq ref para tab'.split(' '),
);

const SBD_OPTIONS = {
  newline_boundaries: false,
  html_boundaries: false,
  sanitize: false,
  preserve_whitespace: false,
  // sbd compares case-sensitively, after stripping dots ("e.g." -> "eg").
  abbreviations: [...ABBREVIATIONS, ...NUMBER_ABBREVIATIONS].flatMap((a) => [
    a,
    a[0]!.toUpperCase() + a.slice(1),
  ]),
};

/** A period inside a token: "U.S.", "e.g.", "2.5", "example.com", "j.doe@x.org". */
const DOTTED_TOKEN = /[^\s.]\.[^\s.]/;

/** Cuts one paragraph into sentences. */
export function segmentParagraph(paragraph: string): string[] {
  const text = paragraph.trim();
  if (!text) return [];
  // sbd's value is in dotted tokens ("U.S.", "e.g.", "a.m.", decimals, URLs, addresses); where there
  // are none, the repairs below make every decision sbd would and it is skipped (it is most of the
  // cost of splitting).
  const pieces = (DOTTED_TOKEN.test(text) ? locate(text, sbd.sentences(text, SBD_OPTIONS)) : [text]).flatMap(
    splitMissedBoundaries,
  );
  return mergeContinuations(pieces).flatMap(splitAfterClosedQuotation);
}

/** Every paragraph's sentences, in order, with the paragraph index of each. */
export function segmentSentences(paragraphs: readonly string[]): { text: string; paragraph: number }[] {
  return paragraphs.flatMap((p, paragraph) => segmentParagraph(p).map((text) => ({ text, paragraph })));
}

/** True for a word (without its period) after which a period does not end the sentence. */
export function isAbbreviation(word: string, beforeNumber = false): boolean {
  const key = word.toLowerCase();
  return ABBREVIATIONS.has(key) || (beforeNumber && NUMBER_ABBREVIATIONS.has(key));
}

/** Sentence punctuation, closing marks, spaces, then what can open a sentence (or "iPhone"). */
const CANDIDATE = /([.!?…]+)(["”’»)\]]*) +(?=["“‘«([]*([\p{Lu}\p{Lt}\p{Lo}\p{N}]|\p{Ll}+\p{Lu}))/gu;

/**
 * sbd keeps a sentence going after a short capitalised word when the next words are capitalised too
 * (it takes "I met Tom. He" and "in May. June" for a name after an abbreviation), and it knows no
 * "…". Where a period follows an ordinary word (not an abbreviation, not an initial, not a dotted
 * token such as "U.S." or a URL, which sbd judges better), the sentence ends.
 */
function splitMissedBoundaries(piece: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const match of piece.matchAll(CANDIDATE)) {
    const at = match.index ?? 0;
    const [whole, punctuation = '', closing = '', next = ''] = match;
    if (!endsSentence(piece.slice(start, at), punctuation, closing, next)) continue;
    const end = at + whole.length;
    out.push(piece.slice(start, end).trim());
    start = end;
  }
  out.push(piece.slice(start).trim());
  return out.filter(Boolean);
}

/**
 * Whether sentence punctuation ends a sentence, given the text before it, the closing marks after
 * it and the first character of the next word (cut-to-fit uses it inside overlong sentences too).
 */
export function endsSentence(before: string, punctuation: string, closing: string, next: string): boolean {
  if (punctuation !== '.') return true; // ?, !, …, "..." and "!..": sbd's rules and ours agree
  // The last word (normalised text has no whitespace but spaces and newlines; no end-anchored regex,
  // which would scan the whole text).
  const last = Math.max(before.lastIndexOf(' '), before.lastIndexOf('\n'));
  const word = before.slice(last + 1).replace(/^["“‘«([]+/, '');
  if (!word || /[.@/:]/.test(word)) return false; // a dotted token, a URL, an address: sbd decides
  if (closing) return true; // "…denied it.) The case…", "…it is over.” Then…"
  if (/^\p{L}$/u.test(word)) return false; // an initial: "John F. Kennedy"
  return !isAbbreviation(word, /\p{N}/u.test(next));
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
  // What `pending` leaves open, kept up to date piece by piece: rescanning the growing sentence
  // made a long paragraph with an unclosed quotation mark quadratic.
  let open = openMarks();
  for (const piece of pieces) {
    if (pending === undefined) {
      pending = piece;
      open = scanMarks(openMarks(), piece);
      continue;
    }
    if (
      quotationOpen(open) ||
      (open.parentheses > 0 && piece.includes(')')) ||
      startsLowercase(piece) ||
      continuesInitialism(pending, piece)
    ) {
      pending = `${pending} ${piece}`;
      scanMarks(open, piece);
    } else {
      out.push(pending);
      pending = piece;
      open = scanMarks(openMarks(), piece);
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
  // Only the end matters (an end-anchored regex would scan the whole, growing sentence).
  const tail = previous.length > 64 ? previous.slice(-64) : previous;
  if (!/(?:^|[\s(])(?:\p{Lu}\.){2,}$/u.test(tail)) return false;
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
  let scanned = 0;
  let open = openMarks();
  for (const match of sentence.matchAll(/[.!?…]["”»](?= +[\p{Lu}“"«])/gu)) {
    const end = (match.index ?? 0) + match[0].length;
    scanMarks(open, sentence, scanned, end);
    scanned = end;
    if (!quotationOpen(open)) {
      out.push(sentence.slice(start, end).trim());
      start = end;
      open = openMarks();
    }
  }
  out.push(sentence.slice(start).trim());
  return out.filter(Boolean);
}

/** "…said on Jan. 7 the…" goes on; "iPhone sales fell" and "eBay said" are new sentences. */
function startsLowercase(piece: string): boolean {
  return /^\p{Ll}/u.test(piece) && !/^\p{Ll}+\p{Lu}/u.test(piece);
}

/**
 * True when the text leaves a quotation open: more typographic opening than closing quotes, or an
 * odd number of straight double quotes. Apostrophes (’ inside words) are not quotes.
 */
export function quoteIsOpen(text: string): boolean {
  return quotationOpen(scanMarks(openMarks(), text));
}

/** Quotation marks and parentheses left open by a text read so far. */
interface OpenMarks {
  /** Typographic opening quotes (“ « „) not yet closed. */
  quotes: number;
  /** Straight double quotes seen (an odd count leaves one open). */
  straight: number;
  /** Parentheses not yet closed ("(He denied it. Twice.) Then…" is one sentence). */
  parentheses: number;
}

function openMarks(): OpenMarks {
  return { quotes: 0, straight: 0, parentheses: 0 };
}

/** Reads `text` (from `from` to `to`) into `open` and returns it. */
function scanMarks(open: OpenMarks, text: string, from = 0, to = text.length): OpenMarks {
  for (let i = from; i < to; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x201c || ch === 0xab || ch === 0x201e)
      open.quotes++; // “ « „
    else if ((ch === 0x201d || ch === 0xbb) && open.quotes > 0)
      open.quotes--; // ” »
    else if (ch === 0x22)
      open.straight++; // "
    else if (ch === 0x28)
      open.parentheses++; // (
    else if (ch === 0x29 && open.parentheses > 0) open.parentheses--; // )
  }
  return open;
}

function quotationOpen(open: OpenMarks): boolean {
  return open.quotes > 0 || open.straight % 2 === 1;
}

export { CLOSING_QUOTES, OPENING_QUOTES };
