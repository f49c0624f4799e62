/**
 * Editorial scorer: splits every article of test/fixtures/editorial/ the way `quotecast split` does
 * with platform defaults (quotes and thread mode, X and Telegram) and compares the posts with the
 * gold annotations an editor wrote from the texts (gold.json). It measures what a reader would see:
 * furniture leaking into posts, words attributed to the wrong person, quotations cut off from their
 * speaker, characters changed, headlines missing, and whether the chosen quotes are ones an editor
 * would pick.
 *
 * `npm run eval:editorial` prints a table (add `--details` for every problem) and always exits 0: it
 * is a report. test/integration/editorial-corpus.test.ts runs the same `scoreCorpus` and asserts.
 *
 * The gold never comes from the program's output, and nothing here reuses the program's own text
 * helpers (normalisation, segmentation, HTML/Markdown reading): a bug there must not hide itself.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ingestWithSettings } from '../src/adapters/document/ingest-with-settings.js';
import { type Settings, settingsSchema } from '../src/config/config-schema.js';
import type { Article, Platform, PostingMode } from '../src/domain/article.js';
import { decodeEntities } from '../src/domain/ingest-markup.js';
import { rulesFor } from '../src/domain/platform-rules.js';
import { type SplitPost, splitArticle } from '../src/domain/split-article.js';
import { defaultSplitSettings } from '../src/use-cases/prepare-article.js';

// ---- gold annotations ----------------------------------------------------------------------------

export type ArticleKind = 'press-release' | 'news' | 'opinion';
export const ARTICLE_KINDS: readonly ArticleKind[] = ['press-release', 'news', 'opinion'];

export interface GoldQuotation {
  /** An exact substring of the quoted words (one sentence is enough). */
  readonly text: string;
  /** Acceptable names for the speaker; empty when the text does not say who spoke. */
  readonly speakers: readonly string[];
  /** The exact attribution clause ("said council president Diane Okafor", "she said"). */
  readonly attribution: string;
}

export interface GoldArticle {
  readonly file: string;
  readonly kind: ArticleKind;
  /** The headline, or null when the text has none. */
  readonly title: string | null;
  /** The name the author's own sentences may be signed with, or null. */
  readonly author: string | null;
  /** Exact substrings that must never appear in any post (furniture). */
  readonly neverPost: readonly string[];
  /** Every direct quotation of the article. */
  readonly quotations: readonly GoldQuotation[];
  /** Sentences an editor would be glad to post as standalone quotes. */
  readonly picks: readonly string[];
}

export interface CorpusEntry {
  readonly gold: GoldArticle;
  readonly bytes?: Uint8Array;
  /** Why the file could not be read, when it could not. */
  readonly readError?: string;
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const editorialDir = path.join(repoRoot, 'test/fixtures/editorial');

/** Reads gold.json and every article it names; a missing file becomes an entry with `readError`. */
export function loadCorpus(dir: string = editorialDir): CorpusEntry[] {
  const gold = JSON.parse(readFileSync(path.join(dir, 'gold.json'), 'utf8')) as GoldArticle[];
  return gold.map((article) => {
    try {
      return { gold: article, bytes: readFileSync(path.join(dir, article.file)) };
    } catch (error) {
      return { gold: article, readError: `cannot read ${article.file}: ${(error as Error).message}` };
    }
  });
}

// ---- text helpers (deliberately independent of src/domain) -------------------------------------

/** What ingestion promises for whitespace: NFC and single spaces. */
export function collapse(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** For the "same characters" check: no whitespace at all, and no list bullets (documented cleaning). */
function squash(text: string): string {
  return text.normalize('NFC').replace(/[\s•▪◦‣]/gu, '');
}
const SQUASHED_AWAY = /[\s•▪◦‣]/u;

const HTML_BLOCKS =
  'p|div|h[1-6]|li|ul|ol|dl|dt|dd|figure|figcaption|blockquote|section|article|header|footer|nav|aside|main|body|html|br|hr|table|tr|td|th|pre';

/**
 * The text a reader sees in the file, paragraphs separated by blank lines: plain text as it is, HTML
 * without head, scripts and tags (block elements become paragraph breaks), Markdown without its
 * markup (links keep their text, images go). Page furniture stays: it is what the checks look for.
 */
export function visibleText(file: string, raw: string): string {
  const text = raw
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .normalize('NFC');
  if (/\.html?$/i.test(file)) {
    return decodeEntities(
      text
        .replace(/<!--[\s\S]*?-->/g, '')
        .replace(/<(head|script|style|template|noscript)\b[\s\S]*?<\/\1>/gi, '')
        .replace(new RegExp(`</?(?:${HTML_BLOCKS})\\b[^>]*>`, 'gi'), '\n\n')
        .replace(/<[^>]*>/g, ''),
    ).normalize('NFC');
  }
  if (/\.(md|markdown)$/i.test(file)) {
    return decodeEntities(
      text
        .replace(/^---\n[\s\S]*?\n---\n/, '')
        .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
        .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/^#{1,6}[ \t]+/gm, '')
        .replace(/^>[ \t]?/gm, '')
        .replace(/^[ \t]*[-*+][ \t]+/gm, '')
        .replace(/\*\*|__|\*/g, ''),
    ).normalize('NFC');
  }
  return text;
}

/** Paragraphs of the visible text, whitespace collapsed. */
export function visibleParagraphs(file: string, raw: string): string[] {
  return visibleText(file, raw)
    .split(/\n[ \t]*\n/)
    .map(collapse)
    .filter((p) => p.length > 0);
}

/** Abbreviations after which a period does not end a sentence (the corpus uses these). */
const ABBREVIATIONS = new Set([
  'dr',
  'mr',
  'mrs',
  'ms',
  'st',
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
  'no',
  'gov',
  'sen',
  'rep',
  'sgt',
  'lt',
  'mt',
  'jr',
  'sr',
  'vs',
  'inc',
  'co',
  'u.s',
  'e.g',
  'i.e',
]);
/** "3:27 a.m. Aug. 26", "6:14 p.m. EDT Tuesday": the capital after a.m./p.m. does not start a sentence. */
const AFTER_TIME =
  /^(?:EDT|EST|CDT|CST|PDT|PST|UTC|GMT|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)/;
const BOUNDARY = /([.!?…])(["”’)\]]*)(\s+)(?=["“‘([]?[\p{Lu}\p{N}])/gu;

/** Sentence ranges [start, end) of a text; paragraph breaks (blank lines) always end a sentence. */
export function sentenceRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let offset = 0;
  for (const paragraph of text.split(/(\n[ \t]*\n)/)) {
    if (/^\n[ \t]*\n$/.test(paragraph) || paragraph.trim() === '') {
      offset += paragraph.length;
      continue;
    }
    let start = 0;
    for (const match of paragraph.matchAll(BOUNDARY)) {
      const at = match.index ?? 0;
      const end = at + (match[1]?.length ?? 0) + (match[2]?.length ?? 0);
      if (match[1] === '.' && !match[2]) {
        const word = /([\p{L}.]+)$/u.exec(paragraph.slice(start, at))?.[1]?.toLowerCase() ?? '';
        const next = paragraph.slice(end + (match[3]?.length ?? 0));
        if (ABBREVIATIONS.has(word) || /^\p{L}$/u.test(word)) continue;
        if ((word === 'a.m' || word === 'p.m') && AFTER_TIME.test(next)) continue;
      }
      ranges.push([offset + start, offset + end]);
      start = end + (match[3]?.length ?? 0);
    }
    if (start < paragraph.trimEnd().length)
      ranges.push([offset + start, offset + paragraph.trimEnd().length]);
    offset += paragraph.length;
  }
  return ranges;
}

export function sentencesOf(text: string): string[] {
  return sentenceRanges(text).map(([from, to]) => text.slice(from, to));
}

/** A sentence without the quotation marks, brackets and spaces around it. */
function core(sentence: string): string {
  return sentence.replace(/^[\s"“”‘’«»„(]+|[\s"“”‘’«»)]+$/gu, '');
}

/** Sentences shorter than this (in letters and digits) are not evidence of anything ("Half!"). */
const MIN_EVIDENCE = 12;

/**
 * Does an excerpt carry words of this quotation (the quotation text, or a sentence of it)? Compared
 * on letters and digits only: an excerpt that ends a quotation with a period instead of the
 * article's comma still carries its words (changed characters are the corruption check's business).
 */
export function overlapsQuotation(body: string, quoted: string): boolean {
  const b = letters(body);
  const q = letters(quoted);
  if (q.length > 0 && b.includes(q)) return true;
  if (b.length >= MIN_EVIDENCE && q.includes(b)) return true;
  for (const sentence of sentencesOf(collapse(quoted))) {
    const c = letters(sentence);
    if (c.length >= MIN_EVIDENCE && b.includes(c)) return true;
  }
  for (const sentence of sentencesOf(collapse(body))) {
    const c = letters(sentence);
    if (c.length >= MIN_EVIDENCE && q.includes(c)) return true;
  }
  return false;
}

/**
 * Does a chosen excerpt match an editor's pick: contains it, is part of it, or shares a whole
 * sentence with it (letters and digits compared, as above)?
 */
export function matchesPick(body: string, pick: string): boolean {
  const b = letters(body);
  const p = letters(pick);
  if (p.length > 0 && b.includes(p)) return true;
  if (b.length >= MIN_EVIDENCE && p.includes(b)) return true;
  const pickSentences = new Set(
    sentencesOf(collapse(pick))
      .map(letters)
      .filter((s) => s.length >= MIN_EVIDENCE),
  );
  return sentencesOf(collapse(body)).some((s) => pickSentences.has(letters(s)));
}

/** Letters and digits only, in NFC. */
function letters(text: string): string {
  return text.normalize('NFC').replace(/[^\p{L}\p{N}]/gu, '');
}

/** Word-bounded occurrences of `phrase` in `text` ("he said" is not inside "she said"). */
function occurrences(text: string, phrase: string): number[] {
  const found: number[] = [];
  if (!phrase) return found;
  for (let at = text.indexOf(phrase); at !== -1; at = text.indexOf(phrase, at + 1)) {
    const before = text[at - 1];
    const after = text[at + phrase.length];
    const letter = /[\p{L}\p{N}]/u;
    if (
      (before && letter.test(before) && letter.test(phrase[0]!)) ||
      (after && letter.test(after) && letter.test(phrase.at(-1)!))
    )
      continue;
    found.push(at);
  }
  return found;
}

function containsPhrase(text: string, phrase: string): boolean {
  return occurrences(collapse(text), collapse(phrase)).length > 0;
}

function sameName(a: string, b: string): boolean {
  const norm = (s: string) =>
    collapse(s)
      .toLowerCase()
      .replace(/^[\s,.;:]+|[\s,.;:]+$/g, '');
  return norm(a) === norm(b);
}

function surname(name: string): string {
  return collapse(name).split(' ').at(-1) ?? '';
}

function hasQuotedWords(text: string): boolean {
  return /[“”"«»„]/.test(text);
}

/** URL-like tokens (URLs, domains, e-mail addresses) with the punctuation around them removed. */
export function urlTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const word of text.split(/\s+/)) {
    const token = word.replace(/^[("“‘«<[]+/u, '').replace(/[.,;:!?)\]”"’»>]+$/u, '');
    if (/:\/\/|^[^\s@]+@[^\s@]+\.\p{L}{2,}|[\p{L}\p{N}]\.\p{L}{2,}/u.test(token)) tokens.push(token);
  }
  return tokens;
}

function shorten(text: string, max = 90): string {
  const flat = collapse(text);
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

// ---- gold verification ---------------------------------------------------------------------------

/**
 * Everything wrong with one article's gold: substrings not in the text (after NFC and collapsed
 * whitespace, each inside one paragraph), a speaker the text never names, quoted words the gold
 * does not list (so a correct attribution could not be told from a wrong one), a pick or quotation
 * that contains furniture, a pick count outside 4-8.
 */
export function verifyGold(entry: CorpusEntry): string[] {
  const { gold } = entry;
  const problems: string[] = [];
  const where = gold.file;
  if (!ARTICLE_KINDS.includes(gold.kind)) problems.push(`${where}: unknown kind "${gold.kind}"`);
  if (!entry.bytes) return [...problems, `${where}: ${entry.readError ?? 'no file'}`];
  const raw = new TextDecoder().decode(entry.bytes);
  const paragraphs = visibleParagraphs(gold.file, raw);
  const whole = paragraphs.join('\n\n');
  const paragraphOf = (text: string) => paragraphs.findIndex((p) => p.includes(collapse(text)));
  const need = (what: string, text: string) => {
    if (!text.trim()) problems.push(`${where}: empty ${what}`);
    else if (paragraphOf(text) === -1) problems.push(`${where}: ${what} not in the text: "${shorten(text)}"`);
  };
  if (gold.title !== null) need('title', gold.title);
  if (gold.author !== null && !whole.toLowerCase().includes(collapse(gold.author).toLowerCase()))
    problems.push(`${where}: author "${gold.author}" not named in the text`);
  for (const text of gold.neverPost) need('neverPost', text);
  for (const text of gold.picks) need('pick', text);
  if (gold.picks.length < 4 || gold.picks.length > 8)
    problems.push(`${where}: ${gold.picks.length} picks; an editor picks 4-8`);
  for (const q of gold.quotations) {
    need('quotation', q.text);
    need('attribution', q.attribution);
    const qAt = paragraphOf(q.text);
    const aAt = paragraphs.findIndex((p) => occurrences(p, collapse(q.attribution)).length > 0);
    if (qAt !== -1 && aAt !== -1) {
      const near = paragraphs.some(
        (p, i) => Math.abs(i - qAt) <= 1 && occurrences(p, collapse(q.attribution)).length > 0,
      );
      if (!near)
        problems.push(`${where}: attribution "${q.attribution}" is not next to "${shorten(q.text, 50)}"`);
    }
    const lower = whole.toLowerCase();
    for (const speaker of q.speakers) {
      const surname = collapse(speaker).split(' ').at(-1)?.toLowerCase() ?? '';
      if (!lower.includes(surname)) problems.push(`${where}: speaker "${speaker}" is not named in the text`);
    }
    if (q.speakers.length > 0 && !q.speakers.some((s) => lower.includes(collapse(s).toLowerCase())))
      problems.push(`${where}: no spelling of ${q.speakers.join(' / ')} appears in the text as written`);
  }
  for (const text of [...gold.picks, ...gold.quotations.map((q) => q.text)]) {
    for (const furniture of gold.neverPost) {
      if (collapse(text).includes(collapse(furniture)))
        problems.push(`${where}: "${shorten(text, 50)}" contains furniture "${furniture}"`);
    }
  }
  // Every quoted span of the text is covered by a gold quotation.
  for (const paragraph of paragraphs) {
    const spans = [
      ...[...paragraph.matchAll(/“([^”]*)(?:”|$)/g)].map((m) => m[1] ?? ''),
      ...[...paragraph.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? ''),
    ];
    for (const span of spans) {
      const c = core(collapse(span));
      if (c.length === 0) continue;
      const covered = gold.quotations.some((q) => {
        const t = core(collapse(q.text));
        return c.includes(t) || t.includes(c);
      });
      if (!covered)
        problems.push(`${where}: quoted words not in the gold quotations: “${shorten(span, 60)}”`);
    }
  }
  return problems;
}

// ---- scoring -------------------------------------------------------------------------------------

export const RUNS = [
  { name: 'X quotes', platform: 'twitter', mode: 'quotes' },
  { name: 'Telegram quotes', platform: 'telegram', mode: 'quotes' },
  { name: 'X thread', platform: 'twitter', mode: 'thread' },
  { name: 'Telegram thread', platform: 'telegram', mode: 'thread' },
] as const satisfies readonly { name: string; platform: Platform; mode: PostingMode }[];
export type RunName = (typeof RUNS)[number]['name'];

/** Every kind of problem the scorer reports; each is a list of human-readable findings. */
export interface ArticleProblems {
  /** The article could not be read, ingested or split (one entry per failed step). */
  readonly failures: string[];
  readonly leaks: string[];
  readonly wrongAttributions: string[];
  readonly splitFromSpeaker: string[];
  readonly corrupted: string[];
  /** A gold quotation or pick that is not in the ingested body: ingestion dropped article text. */
  readonly lost: string[];
  readonly headlines: string[];
}

export interface Precision {
  readonly matched: number;
  readonly chosen: number;
}

export interface ArticleScore {
  readonly file: string;
  readonly kind: ArticleKind;
  readonly posts: Partial<Record<RunName, number>>;
  readonly problems: ArticleProblems;
  /** Thread runs whose headline was checked, and how many were right. */
  readonly headlines: { readonly ok: number; readonly checked: number };
  readonly precision: { readonly twitter: Precision; readonly telegram: Precision };
  /** Of the wrong attributions and corrupted posts, how many are the milder kind (see `notes`). */
  readonly notes: Notes;
}

/**
 * Two figures that help read the counts. `incompleteNames`: wrong attributions that name the right
 * person incompletely ("Brekke", "County Fire Chief Owen Tate"); they still count as wrong.
 * `quotationEdits`: quoted-words posts whose punctuation changed or whose pieces were joined across a
 * gap (a quotation's closing comma made a period, an interrupted quotation stitched together). That
 * is the documented cleaning of quoted words (README), so these are NOT counted as corrupted; the
 * same change in any other post is.
 */
export interface Notes {
  readonly incompleteNames: number;
  readonly quotationEdits: number;
}

export interface CorpusTotals {
  readonly articles: number;
  readonly failed: number;
  readonly leaks: number;
  readonly wrongAttributions: number;
  readonly splitFromSpeaker: number;
  readonly corrupted: number;
  readonly lost: number;
  readonly headlines: { readonly ok: number; readonly checked: number };
  readonly precision: { readonly twitter: Precision; readonly telegram: Precision };
  readonly notes: Notes;
}

export interface CorpusScore {
  readonly articles: readonly ArticleScore[];
  readonly totals: CorpusTotals;
}

/** The name a post attributes its words to: the splitter's `speaker`, or a byline its template printed. */
export function claimedSpeaker(post: SplitPost, byline: string | undefined): string | undefined {
  const declared = post.speaker;
  if (declared !== undefined && declared.trim() !== '') return declared.trim();
  if (!byline) return undefined;
  // A template such as `“{text}” — {author}` signs every excerpt with the byline, speaker or not.
  return collapse(templatePart(post)).includes(collapse(byline)) ? byline : undefined;
}

function templatePart(post: SplitPost): string {
  for (const body of [post.body, post.body.slice(1, -1)]) {
    const at = body ? post.text.indexOf(body) : -1;
    if (at !== -1) return post.text.slice(0, at) + post.text.slice(at + body.length);
  }
  return post.text;
}

/**
 * The schema's own defaults, as `split --platform` without a channel uses them. The schema wants at
 * least one channel, so a probe channel is given (ingestion reads no channel setting).
 */
export function schemaDefaults(): Settings {
  return settingsSchema.parse({ channels: [{ id: 'probe', platform: 'twitter' }] });
}

function emptyProblems(): ArticleProblems {
  return {
    failures: [],
    leaks: [],
    wrongAttributions: [],
    splitFromSpeaker: [],
    corrupted: [],
    lost: [],
    headlines: [],
  };
}

/** Scores one article; never throws (a failure is recorded with its message). */
export function scoreArticle(entry: CorpusEntry, settings: Settings = schemaDefaults()): ArticleScore {
  const { gold } = entry;
  const problems = emptyProblems();
  const posts: Partial<Record<RunName, number>> = {};
  const headlines = { ok: 0, checked: 0 };
  const precision = { twitter: { matched: 0, chosen: 0 }, telegram: { matched: 0, chosen: 0 } };
  const notes = { incompleteNames: 0, quotationEdits: 0 };
  const score = (): ArticleScore => ({
    file: gold.file,
    kind: gold.kind,
    posts,
    problems,
    headlines,
    precision,
    notes,
  });
  if (!entry.bytes) {
    problems.failures.push(entry.readError ?? 'no file');
    return score();
  }
  let article: Article;
  try {
    const outcome = ingestWithSettings({ bytes: entry.bytes, source: gold.file, format: 'auto' }, settings);
    if (!outcome.ok) {
      problems.failures.push(`ingest: ${outcome.problem.message}`);
      return score();
    }
    article = outcome.article;
  } catch (error) {
    problems.failures.push(`ingest threw: ${(error as Error).message}`);
    return score();
  }
  const source = visibleText(gold.file, new TextDecoder().decode(entry.bytes));
  const sourceSquashed = squash(source);
  const sourceLetters = letters(source);
  const sourceTokens = new Set(urlTokens(source));
  const flat = article.paragraphs.map(collapse).join('\n\n');
  for (const text of [...gold.quotations.map((q) => q.text), ...gold.picks]) {
    if (!flat.includes(collapse(text))) problems.lost.push(`not in the ingested body: "${shorten(text)}"`);
  }

  for (const run of RUNS) {
    const rules = rulesFor(run.platform);
    const split = defaultSplitSettings(run.platform, run.mode);
    let result: readonly SplitPost[];
    try {
      result = splitArticle(article, split, rules).posts;
    } catch (error) {
      problems.failures.push(`${run.name}: ${(error as Error).message}`);
      continue;
    }
    posts[run.name] = result.length;
    const label = (i: number) => `${run.name} #${i + 1}`;

    result.forEach((post, i) => {
      const text = collapse(post.text);
      const leaked = gold.neverPost.filter((n) => text.includes(collapse(n)));
      if (leaked.length > 0)
        problems.leaks.push(`${label(i)} contains ${leaked.map((n) => `"${shorten(n, 50)}"`).join(', ')}`);
      const corruption = corruptionOf(post.body, sourceSquashed, sourceLetters, sourceTokens);
      // Quoted words may end in a period for the comma before "she said", and an interrupted
      // quotation is joined where its attribution stood: documented cleaning, counted apart.
      if (corruption?.quotationEdit && post.quotedWords) notes.quotationEdits += 1;
      else if (corruption) {
        problems.corrupted.push(`${label(i)}: ${corruption.finding}`);
      }
    });

    if (run.mode === 'quotes') {
      const chosen = result.filter((p) => p.chosen);
      const tally = precision[run.platform];
      tally.chosen += chosen.length;
      tally.matched += chosen.filter((p) => gold.picks.some((pick) => matchesPick(p.body, pick))).length;
      result.forEach((post, i) => {
        const found = attributionProblems(post, gold, article.byline);
        if (found.wrong) {
          problems.wrongAttributions.push(`${label(i)} "${shorten(post.body, 70)}": ${found.wrong}`);
          if (found.incompleteName) notes.incompleteNames += 1;
        }
        if (found.unattributed)
          problems.splitFromSpeaker.push(`${label(i)} "${shorten(post.body, 70)}": ${found.unattributed}`);
      });
    } else {
      headlines.checked += 1;
      const first = result[0];
      if (gold.title === null) {
        if (collapse(article.title) === '') headlines.ok += 1;
        else
          problems.headlines.push(
            `${run.name}: the text has no headline, ingestion invented "${shorten(article.title, 60)}"`,
          );
      } else if (first && collapse(first.text).includes(collapse(gold.title))) {
        headlines.ok += 1;
      } else {
        problems.headlines.push(
          `${run.name}: first post lacks the headline: "${shorten(first?.text ?? '(no posts)', 80)}"`,
        );
      }
      const target = Math.min(split.targetLength, rules.maxLength);
      for (const finding of threadSplits(result, gold, flat, target, rules.measure)) {
        problems.splitFromSpeaker.push(`${run.name}: ${finding}`);
      }
    }
  }
  return score();
}

/** Why a post's body is not the characters of `sourceText` (a visible text), or undefined. */
export function findCorruption(body: string, sourceText: string): string | undefined {
  return corruptionOf(body, squash(sourceText), letters(sourceText), new Set(urlTokens(sourceText)))?.finding;
}

/** Why a post's body is not the article's characters, or undefined when it is. */
function corruptionOf(
  body: string,
  sourceSquashed: string,
  sourceLetters: string,
  sourceTokens: ReadonlySet<string>,
): { finding: string; quotationEdit: boolean } | undefined {
  // Paragraph by paragraph: furniture dropped between two paragraphs is not a change of characters.
  for (const piece of body.split(/\n[ \t]*\n/)) {
    if (!piece.trim() || sourceSquashed.includes(squash(piece))) continue;
    const shown = `"${shorten(piece, 80)}"`;
    if (sourceLetters.includes(letters(piece)))
      return { finding: `punctuation not as in the article: ${shown}`, quotationEdit: true };
    if (inOrderWithGaps(piece, sourceLetters))
      return { finding: `pieces of the article joined across a gap: ${shown}`, quotationEdit: true };
    return { finding: `characters not in the article: ${shown}`, quotationEdit: false };
  }
  const broken = urlTokens(body).filter((t) => !sourceTokens.has(t));
  if (broken.length > 0)
    return {
      finding: `address not as in the article: ${broken.map((t) => `"${t}"`).join(', ')}`,
      quotationEdit: false,
    };
  return undefined;
}

/** "We will rebuild, and we will do it this year.": each clause is the article's, nearby, in order. */
function inOrderWithGaps(piece: string, sourceLetters: string): boolean {
  const clauses = piece
    .split(/[,;:—–]\s+|\s+[—–]\s+|\s*…\s*/)
    .map(letters)
    .filter(Boolean);
  if (clauses.length < 2) return false;
  let from = sourceLetters.indexOf(clauses[0]!);
  if (from === -1) return false;
  from += clauses[0]!.length;
  for (const clause of clauses.slice(1)) {
    const at = sourceLetters.indexOf(clause, from);
    if (at === -1 || at - from > 300) return false;
    from = at + clause.length;
  }
  return true;
}

/** A quote candidate's attribution findings: a wrong speaker, or a known speaker left off. */
export function attributionProblems(
  post: SplitPost,
  gold: GoldArticle,
  byline: string | undefined,
): { wrong?: string; incompleteName?: boolean; unattributed?: string } {
  const speaker = claimedSpeaker(post, byline);
  const quoted = gold.quotations.filter((q) => overlapsQuotation(post.body, q.text));
  if (speaker !== undefined) {
    if (quoted.length > 0) {
      const bad = quoted.find((q) => !q.speakers.some((s) => sameName(s, speaker)));
      if (!bad) return {};
      if (bad.speakers.length === 0)
        return {
          wrong: `attributed to "${speaker}", but the text does not say who spoke ("${bad.attribution}")`,
        };
      const incompleteName = bad.speakers.some((s) => sameName(surname(s), surname(speaker)));
      return {
        wrong: incompleteName
          ? `attributed to "${speaker}": the right person, but not a name an editor would print (${bad.speakers.join(' / ')})`
          : `attributed to "${speaker}", but these are ${bad.speakers[0]}'s words`,
        incompleteName,
      };
    }
    if (gold.author === null || !sameName(speaker, gold.author))
      return {
        wrong: `the article's own words attributed to "${speaker}" (author: ${gold.author ?? 'none'})`,
      };
    if (hasQuotedWords(post.body)) return { wrong: `quoted words signed by the author "${speaker}"` };
    return {};
  }
  const orphan = quoted.find((q) => q.speakers.length > 0 && !containsPhrase(post.body, q.attribution));
  if (orphan)
    return {
      unattributed: `${orphan.speakers[0]}'s words with no speaker and without "${orphan.attribution}"`,
    };
  return {};
}

/**
 * Thread mode: a quotation whose attribution clause and quoted sentence land in different posts
 * although the sentences holding both fit in one post's budget (target minus the template of a
 * middle post). Positions are found in the ingested body, so "she said" is the occurrence nearest
 * the quotation, not the first in the article.
 */
function threadSplits(
  posts: readonly SplitPost[],
  gold: GoldArticle,
  flat: string,
  target: number,
  measure: (text: string) => number,
): string[] {
  const findings: string[] = [];
  const ranges = locatePosts(flat, posts);
  const overheads = posts.map((p) => Math.max(0, measure(p.text) - measure(p.body)));
  const middle = overheads.length > 2 ? overheads.slice(1, -1) : overheads;
  const budget = target - Math.max(0, ...middle);
  const sentences = sentenceRanges(flat);
  const postAt = (from: number, to: number) =>
    ranges.findIndex((r) => r !== undefined && r[0] <= from && to <= r[1]);
  for (const q of gold.quotations) {
    const quote = collapse(q.text);
    const qFrom = flat.indexOf(quote);
    if (qFrom === -1) continue; // reported as lost
    const qTo = qFrom + quote.length;
    const clause = collapse(q.attribution);
    const candidates = occurrences(flat, clause);
    if (candidates.length === 0) continue;
    const distance = (a: number) =>
      a + clause.length <= qFrom ? qFrom - (a + clause.length) : a >= qTo ? a - qTo : 0;
    const aFrom = candidates.reduce((best, a) => (distance(a) < distance(best) ? a : best));
    const aTo = aFrom + clause.length;
    const qPost = postAt(qFrom, qTo);
    const aPost = postAt(aFrom, aTo);
    if (qPost !== -1 && qPost === aPost) continue;
    const from = Math.min(qFrom, aFrom);
    const to = Math.max(qTo, aTo);
    const start = sentences.find(([s, e]) => s <= from && from < e)?.[0] ?? from;
    const end = sentences.find(([s, e]) => s < to && to <= e)?.[1] ?? to;
    const together = measure(flat.slice(start, end));
    if (together > budget) continue;
    const where = (n: number) => (n === -1 ? 'cut across posts' : `#${n + 1}`);
    findings.push(
      `"${shorten(q.text, 50)}" (${where(qPost)}) is apart from "${q.attribution}" (${where(aPost)}); together ${together} of ${budget}`,
    );
  }
  return findings;
}

/**
 * Where each thread post's body sits in the ingested body (undefined when it cannot be found).
 * Compared without whitespace, so list items kept one per line or paragraphs joined differently
 * still line up.
 */
function locatePosts(flat: string, posts: readonly SplitPost[]): Array<[number, number] | undefined> {
  let squashed = '';
  const at: number[] = [];
  for (let i = 0; i < flat.length; i++) {
    const ch = flat[i]!;
    if (SQUASHED_AWAY.test(ch)) continue;
    squashed += ch;
    at.push(i);
  }
  let cursor = 0;
  return posts.map((post) => {
    const body = squash(post.body);
    const found = body ? squashed.indexOf(body, cursor) : -1;
    if (found === -1) return undefined;
    cursor = found + body.length;
    return [at[found]!, at[found + body.length - 1]! + 1];
  });
}

/** Scores every article and adds the totals. Pure: same entries, same score. */
export function scoreCorpus(entries: readonly CorpusEntry[]): CorpusScore {
  const settings = schemaDefaults();
  const articles = entries.map((entry) => scoreArticle(entry, settings));
  const sum = (pick: (a: ArticleScore) => number) => articles.reduce((n, a) => n + pick(a), 0);
  const precisionOf = (platform: Platform): Precision => ({
    matched: sum((a) => a.precision[platform].matched),
    chosen: sum((a) => a.precision[platform].chosen),
  });
  return {
    articles,
    totals: {
      articles: articles.length,
      failed: articles.filter((a) => a.problems.failures.length > 0).length,
      leaks: sum((a) => a.problems.leaks.length),
      wrongAttributions: sum((a) => a.problems.wrongAttributions.length),
      splitFromSpeaker: sum((a) => a.problems.splitFromSpeaker.length),
      corrupted: sum((a) => a.problems.corrupted.length),
      lost: sum((a) => a.problems.lost.length),
      headlines: { ok: sum((a) => a.headlines.ok), checked: sum((a) => a.headlines.checked) },
      precision: { twitter: precisionOf('twitter'), telegram: precisionOf('telegram') },
      notes: {
        incompleteNames: sum((a) => a.notes.incompleteNames),
        quotationEdits: sum((a) => a.notes.quotationEdits),
      },
    },
  };
}

export function ratio({ matched, chosen }: Precision): number {
  return chosen === 0 ? 0 : matched / chosen;
}

// ---- report --------------------------------------------------------------------------------------

function formatPrecision(p: Precision): string {
  return p.chosen === 0 ? '-' : `${ratio(p).toFixed(2)} (${p.matched}/${p.chosen})`;
}

/** The table: one row per article, then the totals; with `details`, every finding. */
export function formatReport(
  score: CorpusScore,
  options: { details?: boolean; goldProblems?: readonly string[] } = {},
): string {
  const header = [
    'article',
    'posts xq/tq/xt/tt',
    'leaks',
    'wrong',
    'split',
    'corrupt',
    'lost',
    'headline',
    'X prec',
    'TG prec',
  ];
  const rows = score.articles.map((a) => {
    const failed = a.problems.failures.length > 0;
    const counts = RUNS.map((r) => a.posts[r.name] ?? '-').join('/');
    return [
      `${a.file}${failed ? ' FAILED' : ''}`,
      counts,
      String(a.problems.leaks.length),
      String(a.problems.wrongAttributions.length),
      String(a.problems.splitFromSpeaker.length),
      String(a.problems.corrupted.length),
      String(a.problems.lost.length),
      `${a.headlines.ok}/${a.headlines.checked}`,
      formatPrecision(a.precision.twitter),
      formatPrecision(a.precision.telegram),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  const t = score.totals;
  out.push(
    '',
    `total: ${t.articles} articles, ${t.failed} failed; leaks ${t.leaks}, wrong attributions ${t.wrongAttributions} ` +
      `(${t.notes.incompleteNames} name the right person incompletely), split from speaker ${t.splitFromSpeaker}, ` +
      `corrupted ${t.corrupted}, lost ${t.lost} (quoted words re-punctuated or rejoined as documented: ${t.notes.quotationEdits}); ` +
      `headlines ${t.headlines.ok}/${t.headlines.checked}; X precision ${formatPrecision(t.precision.twitter)}, ` +
      `Telegram precision ${formatPrecision(t.precision.telegram)}`,
  );
  for (const a of score.articles)
    for (const failure of a.problems.failures) out.push(`FAILED ${a.file}: ${failure}`);
  if (options.goldProblems?.length)
    out.push('', 'gold problems:', ...options.goldProblems.map((p) => `  ${p}`));
  if (options.details) {
    for (const a of score.articles) {
      const sections = Object.entries(a.problems).filter(([, list]) => list.length > 0);
      if (sections.length === 0) continue;
      out.push('', `== ${a.file}`);
      for (const [kind, list] of sections) for (const finding of list) out.push(`  [${kind}] ${finding}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function main(argv: readonly string[]): number {
  const details = argv.includes('--details') || argv.includes('-v');
  const corpus = loadCorpus();
  const goldProblems = corpus.flatMap(verifyGold);
  process.stdout.write(formatReport(scoreCorpus(corpus), { details, goldProblems }));
  if (!details) process.stdout.write('(run with --details to list every finding)\n');
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
