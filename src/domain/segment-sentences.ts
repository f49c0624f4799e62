/**
 * Sentence segmentation, rule-based and exact: a sentence is always a substring of the paragraph,
 * and the paragraph is cut only at whitespace that follows sentence punctuation, so the sentences
 * joined by the whitespace that separated them give the paragraph back, character for character.
 * Nothing is re-joined or re-spaced: every step works on offsets into the paragraph. A period
 * inside a token ("t.me", "example.com", "2.5", "U.S.-based", "j.doe@x.org") is never a cut.
 *
 * Earlier versions ran `sbd` and repaired its output; sbd cuts inside tokens ("https://t.me/x" came
 * back as "https://t" and "me/x", the period dropped) and re-spaces what it returns, and its one
 * contribution, judging dotted tokens, is now made here (see `endsSentence`). It is still measured
 * against, with ICU's `Intl.Segmenter`, in test/unit/segment-sentences.test.ts, on our hard cases
 * and on pragmatic_segmenter's English "Golden Rules".
 *
 * Steps: (1) every run of sentence punctuation, closing marks and whitespace before what can open a
 * sentence is a candidate, kept where `endsSentence` says so; (2) a quotation or a parenthesis with
 * its own sentence punctuation stays whole: a piece that leaves one open is joined with the next
 * (“Will he? Or not?” she asked).
 */

/** Cuts one paragraph into sentences: exact substrings, in order, without surrounding whitespace. */
export function segmentParagraph(paragraph: string): string[] {
  return sentenceSpans(paragraph).map(([start, end]) => paragraph.slice(start, end));
}

/** Every paragraph's sentences, in order, with the paragraph index of each. */
export function segmentSentences(paragraphs: readonly string[]): { text: string; paragraph: number }[] {
  return paragraphs.flatMap((p, paragraph) => segmentParagraph(p).map((text) => ({ text, paragraph })));
}

/** A sentence as [start, end) offsets into its paragraph. */
export type Span = readonly [start: number, end: number];

/**
 * Sentence punctuation (with any closing marks), whitespace, then what can open a sentence: an
 * opening mark, then a capital, a digit, a letter of a caseless script, a camel-cased name
 * ("iPhone"), or a spaced ellipsis opening the next sentence (". . . The practice…"). Shared with
 * cut-to-fit, which cuts at the end of group 2 instead of after the whitespace.
 */
export const CANDIDATE_SOURCE =
  '([.!?…]+)(["”’»)\\]]*)(\\s+)(?=["“‘«(\\[]*(?:[\\p{Lu}\\p{Lt}\\p{Lo}\\p{N}]|\\p{Ll}+\\p{Lu})|\\.(?: \\.){2}\\s+["“‘«(\\[]*\\p{Lu})';

const CANDIDATE = new RegExp(CANDIDATE_SOURCE, 'gu');

/** Sentence spans of a paragraph (see segmentParagraph). */
export function sentenceSpans(paragraph: string): Span[] {
  const raw: Span[] = [];
  let from = skipSpace(paragraph, 0);
  // matchAll iterates a copy of the regex: the shared one's lastIndex is never moved.
  for (const match of paragraph.matchAll(CANDIDATE)) {
    const at = match.index ?? 0;
    const [whole, punctuation = '', closing = ''] = match;
    const next = at + whole.length;
    if (!endsSentence(paragraph, from, at, punctuation, closing, next)) continue;
    raw.push([from, at + punctuation.length + closing.length]);
    from = next;
  }
  const end = trimEndIndex(paragraph);
  if (from < end) raw.push([from, end]);
  return mergeOpenQuotations(paragraph, raw);
}

/**
 * Joins a piece that leaves a quotation open with the next ones until it closes, and a piece that
 * leaves a parenthesis open with the next when that one closes it. What is open is kept up to date
 * piece by piece: rescanning the growing sentence made a long paragraph with an unclosed quotation
 * mark quadratic.
 */
function mergeOpenQuotations(text: string, pieces: readonly Span[]): Span[] {
  const out: Span[] = [];
  let pending: [number, number] | undefined;
  let open = openMarks();
  for (const [start, end] of pieces) {
    if (pending === undefined) {
      pending = [start, end];
      open = scanMarks(openMarks(), text, start, end);
      continue;
    }
    if (quotationOpen(open) || (open.parentheses > 0 && text.slice(start, end).includes(')'))) {
      pending[1] = end;
      scanMarks(open, text, start, end);
    } else {
      out.push(pending);
      pending = [start, end];
      open = scanMarks(openMarks(), text, start, end);
    }
  }
  if (pending !== undefined) out.push(pending);
  return out;
}

// ---- deciding one candidate ----------------------------------------------------------------------

/**
 * Abbreviations whose period does not end a sentence even before a capital ("Dr. Okafor",
 * "Jan. 7", "e.g. London", "St. Louis"). Lower case, dots removed; matched case-insensitively. Left
 * out on purpose: "etc." and "no." (before a word), which end sentences ("apples, pears, etc. Then
 * we left", "one more time no. President Smith…"), and words that are also ordinary words ("sat",
 * "sun", "mon", "miss").
 */
const ABBREVIATIONS = new Set(
  // titles and ranks
  (
    'mr mrs ms mx messrs mme mlle dr prof rev fr sra gen lt col maj capt cmdr cdr adm sgt ' +
    'cpl pvt brig gov sen rep pres hon supt insp det atty cllr amb mt st ' +
    // months and weekdays
    'jan feb mar apr jun jul aug sep sept oct nov dec tue tues wed thu thur thurs fri ' +
    // everything else that is normally followed by more of the sentence
    'vs v approx est dept univ assn ft cf viz eg ie'
  ).split(' '),
);

/** Abbreviations that do not end a sentence before a number only: "No. 1", "Vol. 3", "p. 12". */
const NUMBER_ABBREVIATIONS = new Set(
  'no nos n° nº vol vols fig figs ch chap p pp art arts sec sect ext tel op ed eq ref para tab'.split(' '),
);

/**
 * Abbreviations that close a name ("Acme Inc.", "Briggs & Co.", "King Jr.", "Smith et al.",
 * "Fifth Ave."): the sentence goes on after them ("Apple Inc. CEO Tim Cook") unless the next word is
 * one that typically opens a sentence ("…Briggs & Co. It closed yesterday"). "St." is one of them
 * after a capitalised word or a number ("Downing St.", "5th St."), and "Saint" elsewhere.
 */
const NAME_ENDINGS = new Set('inc co corp ltd llc plc bros jr sr esq al ave blvd rd'.split(' '));

/**
 * After an initialism ("the U.S.", "a Ph.D.") or a name ending, the sentence goes on unless the next
 * word is one that typically opens a sentence: "the U.S. Senate voted", but "moved to the U.S. They
 * liked it". A capitalised noun looks the same as a name ("He moved to the U.S. Officials welcomed
 * him." stays one sentence: a known miss).
 */
const SENTENCE_OPENERS = new Set(
  (
    'the a an this that these those it its he she they we i you his her their our my there here ' +
    'but and so yet however meanwhile then now in on at for if when while as after before since ' +
    'what why how who where many some most all no one two three'
  ).split(' '),
);

const MONTHS = new Set(
  (
    'january february march april may june july august september october november december ' +
    'jan feb mar apr jun jul aug sep sept oct nov dec'
  ).split(' '),
);
const WEEKDAYS = new Set(
  (
    'monday tuesday wednesday thursday friday saturday sunday ' +
    'mon tue tues wed thu thur thurs fri sat sun today tonight tomorrow yesterday'
  ).split(' '),
);
/** Time-zone abbreviations, matched in capitals only ("WEST" and "ET" are also words). */
const TIME_ZONES = new Set(
  (
    'UTC GMT BST IST CET CEST EET EEST WET WEST MSK ET EST EDT CT CST CDT MT MST MDT PT PST PDT ' +
    'AKST AKDT HST AEST AEDT ACST AWST NZST NZDT JST KST SGT HKT'
  ).split(' '),
);
/** Words that open a sentence with its time ("At 5 a.m. Mr. Smith went…", "Shortly after 9 p.m."). */
const TIME_LEADS = new Set(
  'at by until till before after around about from since shortly just sometime circa near'.split(' '),
);
const TIME_MODIFIERS = new Set(
  'about around after before roughly nearly almost approximately exactly precisely shortly just'.split(' '),
);

const OPENING_MARKS = /^["“‘«([]+/;
const OPENING_MARK_CHARS = '"“‘«([';
const SPACE = /\s/;

/**
 * Whether sentence punctuation ends a sentence. `text` is the whole text, `from` where the current
 * sentence starts, `at` where the punctuation starts, `closing` the closing marks after it and `next`
 * where the next word starts (after the whitespace). Only a few characters either side are read, so
 * a paragraph is decided in linear time. cut-to-fit uses it inside overlong sentences too.
 */
export function endsSentence(
  text: string,
  from: number,
  at: number,
  punctuation: string,
  closing: string,
  next: number,
): boolean {
  if (punctuation !== '.') {
    // "[...]" and "(…)" mark words left out of a quotation, not the end of a sentence.
    const after = text[at + punctuation.length];
    const before = text[at - 1];
    if ((before === '[' && after === ']') || (before === '(' && after === ')')) return false;
    return true; // ?, !, "!..", "?!", "...", "…": the sentence ends
  }
  const wordStart = wordStartBefore(text, at);
  const word = text.slice(wordStart, at).replace(OPENING_MARKS, '');
  if (!word) return spacedEllipsisEnds(text, at, next);
  // "1. The first item", "• 9. The first item", "a) …": a sentence is never just a list marker.
  if (at - from <= 6 && /^[•◦▪‣⁃*–—-]?\s*(?:\p{N}{1,3}|\p{L})$/u.test(text.slice(from, at))) return false;
  if (closing) return true; // "…denied it.) The case…", "…it is over.” Then…"
  if (/[@/:]/.test(word)) return true; // a URL, a path, an e-mail address: the period is the sentence's
  if (word.includes('.')) return dottedTokenEnds(text, from, wordStart, word, next);
  if (isTimeOfDay(word, text, from, wordStart)) return !timeGoesOn(text, from, wordStart, next);
  const nextWord = wordAt(text, next);
  if (/^\p{L}$/u.test(word)) {
    // An initial ("John F. Kennedy", "Albert I. Jones"), but "you and I." is the pronoun.
    return word === 'I' && /^\p{Ll}/u.test(previousWord(text, from, wordStart));
  }
  const key = word.toLowerCase();
  if (NAME_ENDINGS.has(key) || (key === 'st' && isStreet(previousWord(text, from, wordStart)))) {
    return opensSentence(nextWord);
  }
  return !(ABBREVIATIONS.has(key) || (NUMBER_ABBREVIATIONS.has(key) && /^\p{N}/u.test(nextWord)));
}

/**
 * A period after a token that has periods of its own. Numbers ("$100.00.", "1026.253.553.") and
 * domains ("example.com.", "t.me.") end the sentence; "e.g." and "i.e." never do; "a.m." and "p.m."
 * follow the time rule; an initialism ("U.S.", "Ph.D.") ends it only before a sentence opener.
 */
function dottedTokenEnds(text: string, from: number, wordStart: number, word: string, next: number): boolean {
  if (/\p{N}/u.test(word)) return true;
  const labels = word.split('.');
  const initialism =
    labels.every((l) => l.length <= 3) && (/\p{Lu}/u.test(word) || labels.every((l) => l.length <= 1));
  if (!initialism) return true; // a domain: "www.example.com", "evil.example", "bit.ly"
  const key = labels.join('').toLowerCase();
  if (key === 'am' || key === 'pm') return !timeGoesOn(text, from, wordStart, next);
  if (ABBREVIATIONS.has(key)) return false;
  return opensSentence(wordAt(text, next));
}

/**
 * "a.m." / "p.m." (also "am", "pm" after a number, and "5pm") before a capital. The time belongs to
 * what follows when that is a month, a weekday, a time zone or a date ("3:27 a.m. Aug. 26, 2023",
 * "9 p.m. Tuesday", "9 p.m. ET", "3 a.m. 26 August"), or when the sentence so far is only a
 * fronted time ("At 5 a.m. Mr. Smith went to the bank", "Shortly after 9 p.m. Officers…"): a
 * sentence is never just "At 5 a.m.". Otherwise a capital opens a new sentence: "…the bank at 6 P.M.
 * Mr. Smith then went…", "…at 9 p.m. Officers arrived…" (news puts the time last, and a name or a
 * capitalised noun after it is far more often a new subject than a continuation). A number alone
 * after the time ("at 5 p.m. 20 people came") is a new sentence too.
 */
function timeGoesOn(text: string, from: number, wordStart: number, next: number): boolean {
  const bare = wordAt(text, next).replace(/[.,]$/, '');
  const lower = bare.toLowerCase();
  if (MONTHS.has(lower) || WEEKDAYS.has(lower) || TIME_ZONES.has(bare)) return true;
  if (/^\d{1,4}[/-]\d{1,2}(?:[/-]\d{1,4})?$/.test(bare)) return true; // 8/26/2023, 2023-08-26
  if (/^\d{1,2}(?:st|nd|rd|th)?$/.test(bare)) {
    // "26 Aug." or "26th of August"
    const after = wordAt(text, skipSpace(text, wordEnd(text, next)));
    const month = after.replace(/[.,]$/, '').toLowerCase();
    if (MONTHS.has(month) || month === 'of') return true;
  }
  return isFrontedTime(text, from, wordStart);
}

/** True when the sentence so far is a preposition and a time: "At 5", "Shortly after 3:27". */
function isFrontedTime(text: string, from: number, wordStart: number): boolean {
  if (wordStart - from > 40) return false;
  const words = text.slice(from, wordStart).trim().replace(OPENING_MARKS, '').split(/\s+/);
  const [lead, ...rest] = words;
  if (lead === undefined || !TIME_LEADS.has(lead.toLowerCase())) return false;
  let number = false;
  for (const w of rest) {
    if (/^\d{1,2}(?:[:.]\d\d)?$/.test(w)) number = true;
    else if (!TIME_MODIFIERS.has(w.toLowerCase())) return false;
  }
  return number;
}

/** "a.m." is handled with dotted tokens; here "5pm", "5:30pm" and "pm" or "am" after a number. */
function isTimeOfDay(word: string, text: string, from: number, wordStart: number): boolean {
  if (/^\d{1,2}(?::\d\d)?[ap]m$/i.test(word)) return true;
  return /^[ap]m$/i.test(word) && /^\d{1,2}(?::\d\d)?$/.test(previousWord(text, from, wordStart));
}

/** "Downing St.", "5th St.", "42 St.": a street; "at St. Mary’s", "St. Louis": a saint. */
function isStreet(previous: string): boolean {
  return /^\p{Lu}/u.test(previous) || /^\d+(?:st|nd|rd|th)?$/i.test(previous);
}

function opensSentence(next: string): boolean {
  const word = /^\p{L}+/u.exec(next)?.[0];
  return word !== undefined && SENTENCE_OPENERS.has(word.toLowerCase());
}

/**
 * A period standing alone ("a period . . . . Next sentence."): part of a spaced ellipsis. Three
 * dots mark words left out inside a sentence ("the thing is . . . I didn’t mean it"); four, the
 * last one spaced, end it. After "compounds. . . . The", the sentence ended at the first period
 * (the candidate there, which looks ahead to ". . . The") and the ellipsis opens the next one.
 */
function spacedEllipsisEnds(text: string, at: number, next: number): boolean {
  if (text[next] === '.') return false; // not the last dot of the ellipsis
  let dots = 1;
  let i = at;
  while (i >= 2 && text[i - 1] === ' ' && text[i - 2] === '.') {
    dots++;
    i -= 2;
  }
  const attached = i > 0 && !SPACE.test(text[i - 1]!);
  if (attached) return dots !== 4 && dots !== 3;
  return dots !== 3;
}

/** Where the word that ends at `at` starts. */
function wordStartBefore(text: string, at: number): number {
  let i = at;
  while (i > 0 && !SPACE.test(text[i - 1]!)) i--;
  return i;
}

/** The word before the one at `wordStart`, within the sentence (empty at its start). */
function previousWord(text: string, from: number, wordStart: number): string {
  let end = wordStart;
  while (end > from && SPACE.test(text[end - 1]!)) end--;
  if (end <= from) return '';
  return text.slice(Math.max(from, wordStartBefore(text, end)), end).replace(OPENING_MARKS, '');
}

/** The word at `start` (up to 40 characters), without opening marks. */
function wordAt(text: string, start: number): string {
  let i = start;
  while (i < text.length && OPENING_MARK_CHARS.includes(text[i]!)) i++;
  return text.slice(i, wordEnd(text, i));
}

/** Where the word at `start` ends (looking at most 40 characters ahead). */
function wordEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && end - start < 40 && !SPACE.test(text[end]!)) end++;
  return end;
}

function skipSpace(text: string, start: number): number {
  let i = start;
  while (i < text.length && SPACE.test(text[i]!)) i++;
  return i;
}

function trimEndIndex(text: string): number {
  let end = text.length;
  while (end > 0 && SPACE.test(text[end - 1]!)) end--;
  return end;
}

// ---- quotation marks and parentheses ---------------------------------------------------------------

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
