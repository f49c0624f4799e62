import { type Article, isListItem } from './article.js';
import type { Quotation, TextRange } from './find-quotations.js';
import type { PlatformRules } from './platform-rules.js';
import {
  type ExcerptFacts,
  excerptScore,
  joinFeatures,
  scoreExcerpt,
  type TextFeatures,
  textFeatures,
} from './score-excerpt.js';
import { segmentParagraph } from './segment-sentences.js';
import { locatePieces, measureSentences, toUnits, type Unit } from './sentence-units.js';
import { type MetadataFallback, MIN_TEXT_ROOM, withMetadataThatFits } from './split-thread.js';
import type { Attribution, SplitPost, SplitResult, SplitSettings } from './split-types.js';
import { renderTemplate, type TemplateValues } from './template.js';

const MAX_SENTENCES_PER_QUOTE = 2;

/**
 * A candidate excerpt. Its text and reasons are written each time someone reads them, and not
 * kept: a long article has hundreds of thousands of candidates, ranking needs only the score, and
 * `split` lists every candidate once (kept, the listing of a 5 MB article held some 150 MB of
 * them). `ranges` and `quotation` are internal.
 */
class QuoteCandidate implements SplitPost {
  readonly score: number;
  chosen = false;
  readonly attribution: Attribution;
  readonly speaker: string | undefined;
  readonly quotedWords: boolean | undefined;
  #body: string | undefined = undefined;
  readonly #context: CandidateContext;
  readonly #shape: Shape;
  /** A run of one paragraph (its range), or quoted words put together (with their ranges). */
  readonly #source: TextRange | QuotedRun;
  /** What the score was computed from (features are recomputed from the units when asked). */
  readonly #facts: ExcerptFacts;
  // Every field is set here, in one order, so all candidates share one object shape.
  constructor(
    context: CandidateContext,
    shape: Shape,
    source: TextRange | QuotedRun,
    readonly length: number,
    facts: ExcerptFacts,
    features: TextFeatures,
    /** The quotation the words come from, so one long quotation does not fill every slot. */
    readonly quotation: Quotation | undefined,
    readonly units: readonly [number, number],
    readonly forced: boolean,
    credit: { attribution: Attribution; speaker: string } | undefined,
    quotedWords: boolean,
  ) {
    this.#context = context;
    this.#shape = shape;
    this.#source = source;
    this.#facts = facts;
    this.attribution = credit?.attribution ?? 'none';
    this.speaker = credit?.speaker;
    this.quotedWords = quotedWords || undefined;
    this.score = excerptScore(facts, features);
  }
  get text(): string {
    return this.#context.renderer.render(this.#shape, this.body);
  }
  get body(): string {
    const source = this.#source;
    this.#body ??=
      'body' in source
        ? source.body
        : this.#context.paragraphs[source.paragraph]!.slice(source.start, source.end);
    return this.#body;
  }
  get reasons(): readonly string[] {
    return scoreExcerpt({ ...this.#facts, text: this.body }, true, this.#featuresAgain()).reasons;
  }
  /** The ranges of the article the words come from. */
  get ranges(): readonly TextRange[] {
    const source = this.#source;
    return 'body' in source ? source.ranges : [source];
  }
  /** Shares words with any of `used` (no array made for a run of one paragraph). */
  overlapsAny(used: readonly TextRange[]): boolean {
    const source = this.#source;
    if ('body' in source) return source.ranges.some((r) => used.some((u) => overlaps(r, u)));
    return used.some((u) => overlaps(source, u));
  }
  #featuresAgain(): TextFeatures {
    const source = this.#source;
    if ('body' in source) return readUnit(source.body).features;
    const [first, last] = this.units;
    let features = this.#context.readingOf(first).features;
    for (let i = first + 1; i <= last; i++)
      features = joinFeatures(features, this.#context.readingOf(i).features);
    return features;
  }
  /** A plain object with every field, for JSON and for comparing. */
  toJSON(): SplitPost {
    return {
      text: this.text,
      length: this.length,
      body: this.body,
      forced: this.forced,
      score: this.score,
      reasons: this.reasons,
      chosen: this.chosen,
      attribution: this.attribution,
      ...(this.speaker ? { speaker: this.speaker } : {}),
      ...(this.quotedWords ? { quotedWords: true } : {}),
      units: this.units,
    };
  }
}

type Candidate = QuoteCandidate;

/** What every candidate of one article shares, to write its text and reasons when asked. */
interface CandidateContext {
  readonly renderer: ReturnType<typeof createRenderer>;
  readonly paragraphs: readonly string[];
  readonly readingOf: (unit: number) => UnitReading;
}

/** How a candidate's words relate to the people in the article. */
interface Voice {
  readonly attribution: Attribution;
  /** Whom the post credits: a quotation's speaker, or the author for the author's own words. */
  readonly speaker?: string;
  /** The body is the quoted words themselves (marks come from the template, or are added). */
  readonly bare?: Quotation;
  /** The quotation the post carries, if any. */
  readonly quotation?: Quotation;
  /** The quoted words are only partial quotations inside reported speech. */
  readonly partial?: boolean;
}

/**
 * Quotes mode: candidate excerpts of one to three sentences, scored for how well they stand alone,
 * the best few chosen. Two kinds of candidate:
 * - runs of the article's own sentences (with any quotation inside them whole, marks balanced);
 * - the words of a direct quotation, a sentence or a few at a time, credited to its speaker: so the
 *   strongest sentence of a long quotation can stand alone, with the right name under it.
 * The author signs only the author's own sentences; a quotation is credited to its speaker, and a
 * quotation whose speaker is not known is credited to nobody.
 */
export function splitQuotes(
  article: Article,
  settings: SplitSettings,
  values: TemplateValues,
  target: number,
  rules: PlatformRules,
  quotations: readonly Quotation[],
): SplitResult {
  return withMetadataThatFits(values, QUOTE_FALLBACKS, target, rules, (fitting, room) =>
    chooseFromCandidates(
      // Without the author's name in the template, the author's own words go unsigned.
      fitting.author === values.author ? article : withoutByline(article),
      settings,
      fitting,
      room,
      rules,
      quotations,
    ),
  );
}

function withoutByline({ byline: _, ...rest }: Article): Article {
  return rest;
}

/** A page's author name or link too long for the quote template is dropped (see withMetadataThatFits). */
const QUOTE_FALLBACKS: readonly MetadataFallback[] = [
  { drop: ['author'], note: 'the author’s name is too long to credit: the author’s own words go unsigned' },
  { drop: ['url'], note: 'the link is too long for a post: the posts go without it' },
  {
    drop: ['author', 'url'],
    note: 'the author’s name and the link are too long for a post: the posts go without them',
  },
];

function chooseFromCandidates(
  article: Article,
  settings: SplitSettings,
  values: TemplateValues,
  target: number,
  rules: PlatformRules,
  quotations: readonly Quotation[],
): SplitResult {
  const template = settings.quoteTemplate;
  // The room for text is what the template leaves when it credits the author (the usual credit;
  // a speaker with a longer name may leave less, and such a post is left out if it does not fit).
  const credited = { ...values, speaker: values.author, text: '' };
  const overhead = rules.measure(renderTemplate(template, credited).trim());
  const budget = target - overhead;
  if (budget < MIN_TEXT_ROOM) {
    throw new RangeError(
      `the quote template needs ${overhead} of ${target} ${rules.unit} before any text; raise the length target to at least ${overhead + MIN_TEXT_ROOM} or shorten the template`,
    );
  }
  const paragraphs = article.paragraphs;
  const units = toUnits(measureSentences(paragraphs, rules), budget, rules);
  const credits = /\{(speaker|author)\}/.test(template);
  const renderer = createRenderer(template, values, rules);
  // What each unit holds, read once: a candidate of several units combines its units' readings.
  const readings: (UnitReading | undefined)[] = new Array(units.length);
  const readingOf = (i: number) => {
    readings[i] ??= readUnit(units[i]!.text);
    return readings[i]!;
  };
  const context: CandidateContext = { renderer, paragraphs, readingOf };
  const candidates: Candidate[] = [];
  const add = (
    source: TextRange | QuotedRun,
    bodyLength: number,
    read: UnitReading,
    voice: Voice,
    sentences: number,
    fragment: boolean,
    forced: boolean,
    first: number,
    last: number,
  ) => {
    const exact = rules.platform === 'twitter' && (read.urlAtStart || read.urlAtEnd);
    const body =
      read.marks || exact ? ('body' in source ? source.body : bodyOf(source, paragraphs)) : undefined;
    const shape = renderer.shape(voice, read.marks ? body : undefined);
    const length = exact
      ? rules.measure(renderer.render(shape, body!))
      : renderer.overheadOf(shape.parts) + bodyLength + shape.delta;
    if (length > target) return;
    const speaker = voice.attribution === 'in-text' || credits ? voice.speaker : undefined;
    const facts: ExcerptFacts = {
      text: '',
      length: bodyLength,
      budget,
      sentences,
      fragment,
      quotation: voice.bare
        ? 'quoted-words'
        : voice.attribution !== 'in-text'
          ? 'none'
          : voice.partial
            ? 'partial'
            : 'with-attribution',
      speaker: voice.attribution === 'author' ? undefined : speaker,
    };
    candidates.push(
      new QuoteCandidate(
        context,
        shape,
        source,
        length,
        facts,
        read.features,
        voice.quotation,
        [first, last],
        forced,
        speaker ? { attribution: voice.attribution, speaker } : undefined,
        voice.bare !== undefined,
      ),
    );
  };

  const touching = indexMarkedRanges(quotations);
  // The first unit of each paragraph, so a quotation's units are found without a scan.
  const firstUnitOf = new Map<number, number>();
  units.forEach((unit, i) => {
    if (!firstUnitOf.has(unit.paragraph)) firstUnitOf.set(unit.paragraph, i);
  });
  const listItems = new Map<number, boolean>();
  for (let start = 0; start < units.length; start++) {
    const first = units[start]!;
    let listItem = listItems.get(first.paragraph);
    if (listItem === undefined) {
      listItem = isListItem(paragraphs[first.paragraph]!);
      listItems.set(first.paragraph, listItem);
    }
    if (listItem) continue; // a list item leans on its intro
    let length = 0;
    let forced = false;
    let read: UnitReading | undefined;
    for (let end = start; end < units.length && end - start < MAX_SENTENCES_PER_QUOTE; end++) {
      const unit = units[end]!;
      if (unit.paragraph !== first.paragraph) break;
      length += (end > start ? 1 : 0) + unit.length;
      if (length > budget) break;
      // A fragment of a long sentence only ever stands alone (so a group is a fragment iff `first` is).
      if (end > start && (unit.fragment || first.fragment)) break;
      forced ||= unit.forced;
      const own = readingOf(end);
      read = read ? joinReadings(read, own) : own;
      // Paragraphs are single-spaced, so the run's text is the paragraph between its ends.
      const range = { paragraph: first.paragraph, start: first.start, end: unit.end };
      const voice = read.marks
        ? voiceOf(range, bodyOf(range, paragraphs), touching(range), article.byline)
        : ownVoice(article.byline);
      if (!voice) continue;
      add(range, length, read, voice, end - start + 1, first.fragment, forced, start, end);
    }
  }
  for (const quotation of quotations) {
    // A few words inside a sentence do not stand alone, and neither do words nobody can be named for.
    if (quotation.partial || !quotation.speaker) continue;
    for (const run of quotationRuns(quotation, article.paragraphs)) {
      const { first, last } = unitSpan(units, firstUnitOf, run.ranges);
      const voice: Voice = {
        attribution: 'speaker',
        bare: quotation,
        quotation,
        ...(quotation.speaker ? { speaker: quotation.speaker } : {}),
      };
      add(run, rules.measure(run.body), readUnit(run.body), voice, run.sentences, false, false, first, last);
    }
  }
  candidates.sort((a, b) => a.units[0] - b.units[0] || a.units[1] - b.units[1]);
  for (const candidate of chooseQuotes(candidates, settings.quotesPerArticle)) candidate.chosen = true;
  const posts: readonly SplitPost[] = candidates;
  const warnings = posts.some((p) => p.forced && p.chosen)
    ? ['a word longer than a whole post was cut inside the word']
    : [];
  return { posts, selected: posts.filter((p) => p.chosen), warnings };
}

function bodyOf(range: TextRange, paragraphs: readonly string[]): string {
  return paragraphs[range.paragraph]!.slice(range.start, range.end);
}

/** What the rules and the renderer need to know of a unit, read once. */
interface UnitReading {
  readonly features: TextFeatures;
  /** Holds a quotation mark (so marks must balance, and a quotation may be inside). */
  readonly marks: boolean;
  /**
   * The first or the last word may be a URL, which X counts as 23 whatever its length and which
   * may run into the template's punctuation: then the post is measured whole. A URL inside the
   * text is counted in the text's own length (lengths are sums over words).
   */
  readonly urlAtStart: boolean;
  readonly urlAtEnd: boolean;
}

function readUnit(text: string): UnitReading {
  const firstSpace = text.indexOf(' ');
  const lastSpace = text.lastIndexOf(' ');
  return {
    features: textFeatures(text),
    marks: /[“”"«»„]/.test(text),
    urlAtStart: maybeUrl(firstSpace === -1 ? text : text.slice(0, firstSpace)),
    urlAtEnd: maybeUrl(lastSpace === -1 ? text : text.slice(lastSpace + 1)),
  };
}

/**
 * A dot between letters or digits (a domain), or a scheme: where X may count a URL as 23. Looked
 * for dot by dot (the regular expression was a visible part of the cost on long articles).
 */
function maybeUrl(text: string): boolean {
  for (let i = text.indexOf('.'); i !== -1; i = text.indexOf('.', i + 1)) {
    if (i > 0 && i + 2 < text.length && wordChar(text.charCodeAt(i - 1)) && letter(text.charCodeAt(i + 1)))
      return MAYBE_URL.test(text);
  }
  return text.includes('://');
}

function letter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 127;
}

function wordChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 127
  );
}

function joinReadings(a: UnitReading, b: UnitReading): UnitReading {
  return {
    features: joinFeatures(a.features, b.features),
    marks: a.marks || b.marks,
    urlAtStart: a.urlAtStart,
    urlAtEnd: b.urlAtEnd,
  };
}

/** The author's own words: signed by the author when there is one (one object per author). */
const NOBODY: Voice = { attribution: 'none' };
const authorVoices = new Map<string, Voice>();
function ownVoice(author: string | undefined): Voice {
  if (!author) return NOBODY;
  let voice = authorVoices.get(author);
  if (!voice) {
    voice = { attribution: 'author', speaker: author };
    if (authorVoices.size > 100) authorVoices.clear();
    authorVoices.set(author, voice);
  }
  return voice;
}

/**
 * The quotations whose marked words overlap a range, in article order. Looked up by binary search
 * in each paragraph's marked ranges: filtering every quotation of the paragraph for every candidate
 * took 5 s on a one-paragraph article of 17,000 quotations and 140,000 candidates.
 */
function indexMarkedRanges(quotations: readonly Quotation[]): (range: TextRange) => Quotation[] {
  interface Marked {
    readonly start: number;
    readonly end: number;
    readonly order: number;
    readonly quotation: Quotation;
  }
  const byParagraph = new Map<number, { marked: Marked[]; reach: number[] }>();
  quotations.forEach((quotation, order) => {
    for (const m of quotation.marked) {
      let entry = byParagraph.get(m.paragraph);
      if (!entry) {
        entry = { marked: [], reach: [] };
        byParagraph.set(m.paragraph, entry);
      }
      entry.marked.push({ start: m.start, end: m.end, order, quotation });
    }
  });
  for (const entry of byParagraph.values()) {
    entry.marked.sort((a, b) => a.start - b.start || a.order - b.order);
    // reach[i]: the furthest end among the first i + 1 ranges (non-decreasing, so searchable).
    let reach = -1;
    entry.reach = entry.marked.map((m) => {
      reach = Math.max(reach, m.end);
      return reach;
    });
  }
  return (range) => {
    const entry = byParagraph.get(range.paragraph);
    if (!entry) return [];
    const { marked, reach } = entry;
    // The first range that could end after range.start; none before it can overlap.
    let low = 0;
    let high = marked.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (reach[mid]! > range.start) high = mid;
      else low = mid + 1;
    }
    const found: Marked[] = [];
    for (let i = low; i < marked.length && marked[i]!.start < range.end; i++) {
      const m = marked[i]!;
      if (m.end > range.start && !found.some((f) => f.quotation === m.quotation)) found.push(m);
    }
    return found.sort((a, b) => a.order - b.order).map((m) => m.quotation);
  };
}

const overlaps = (a: TextRange, b: TextRange) =>
  a.paragraph === b.paragraph && a.start < b.end && b.start < a.end;
const contains = (outer: TextRange, inner: TextRange) =>
  outer.paragraph === inner.paragraph && outer.start <= inner.start && inner.end <= outer.end;

/**
 * Whose words a run of the article's sentences carries, or undefined when it cannot stand as a
 * post: it cuts a quotation (marks unbalanced), or mixes a quotation with other words without
 * saying who spoke (the quotation's words alone are offered as their own candidates).
 */
function voiceOf(
  range: TextRange,
  body: string,
  /** The quotations whose marked words overlap the range, in article order. */
  touched: readonly Quotation[],
  author: string | undefined,
): Voice | undefined {
  if (!marksBalanced(body)) return undefined;
  if (touched.length === 0) return ownVoice(author);
  if (touched.some((q) => !q.marked.every((m) => contains(range, m)))) return undefined;
  // A quotation whose speaker is known but named elsewhere: its words stand alone with the name
  // (their own candidates); this run would carry them unattributed.
  if (touched.some((q) => q.speaker && !q.partial && !(q.attribution && contains(range, q.attribution))))
    return undefined;
  // One quotation and nothing else: the quoted words are their own candidate already.
  if (touched.length === 1 && touched[0]!.marked.length === 1 && isOnly(range, touched[0]!.marked[0]!, body))
    return undefined;
  const speakers = new Set(touched.map((q) => q.speaker));
  const attributed = touched.every((q) => q.attribution && contains(range, q.attribution));
  if (attributed && speakers.size === 1) {
    const speaker = touched[0]!.speaker;
    const quotation = touched.length === 1 ? touched[0]! : undefined;
    const partial = touched.every((q) => q.partial);
    return speaker
      ? {
          attribution: 'in-text',
          speaker,
          ...(quotation ? { quotation } : {}),
          ...(partial ? { partial } : {}),
        }
      : { attribution: 'none', ...(quotation ? { quotation } : {}) };
  }
  // Someone's words without the words that say whose: nobody is credited.
  return { attribution: 'none' };
}

/** True when the range holds nothing but the marked quotation (and trailing punctuation). */
function isOnly(range: TextRange, marked: TextRange, body: string): boolean {
  const before = marked.start - range.start;
  const after = range.end - marked.end;
  return before === 0 && after <= 1 && /^[.!?]?$/.test(body.slice(body.length - after));
}

/** Quotation marks pair up: as many opening as closing curly marks, an even number of straight ones. */
export function marksBalanced(text: string): boolean {
  let depth = 0;
  let straight = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x201c || code === 0xab || code === 0x201e)
      depth++; // “ « „
    else if (code === 0x201d || code === 0xbb) {
      if (--depth < 0) return false; // ” »
    } else if (code === 0x22) straight++;
  }
  return depth === 0 && straight % 2 === 0;
}

/** Quoted words put together from one or more ranges of the article. */
interface QuotedRun {
  readonly body: string;
  readonly ranges: TextRange[];
  readonly sentences: number;
}

/**
 * The quoted words of a quotation, one to three sentences at a time. An interrupted quotation's
 * halves are joined where the attribution stood (“We will rebuild,” said X, “and we will …” gives
 * "We will rebuild, and we will …"); a run that ends in the comma before the attribution ends with
 * a period instead. Both are the documented cleaning of quoted words; nothing else changes.
 */
function quotationRuns(quotation: Quotation, paragraphs: readonly string[]): QuotedRun[] {
  // Sentences of each span, joined across an interruption inside one paragraph.
  const blocks: { text: string; range: TextRange }[][] = [];
  quotation.spans.forEach((span, k) => {
    const text = paragraphs[span.paragraph]!;
    const inner = text.slice(span.start, span.end);
    const leading = inner.length - inner.trimStart().length;
    const sentences = locatePieces(text, segmentParagraph(inner), span.start + leading).map((p) => ({
      text: p.text,
      range: { paragraph: span.paragraph, start: p.start, end: p.end },
    }));
    const previous = quotation.spans[k - 1];
    const head = sentences[0];
    if (previous && previous.paragraph === span.paragraph && head && /^\p{Ll}/u.test(head.text)) {
      blocks.at(-1)!.push(...sentences.map((s, i) => (i === 0 ? { ...s, joined: true } : s)));
    } else {
      blocks.push(sentences);
    }
  });
  const runs: QuotedRun[] = [];
  for (const block of blocks) {
    // Join an interrupted sentence into one: the pieces with "joined" continue the one before.
    const merged: { text: string; ranges: TextRange[] }[] = [];
    for (const s of block as { text: string; range: TextRange; joined?: boolean }[]) {
      if (s.joined && merged.length > 0) {
        const last = merged.at(-1)!;
        last.text = `${last.text} ${s.text}`;
        last.ranges.push(s.range);
      } else merged.push({ text: s.text, ranges: [s.range] });
    }
    for (let i = 0; i < merged.length; i++) {
      let body = '';
      const ranges: TextRange[] = [];
      for (let j = i; j < merged.length && j - i < MAX_SENTENCES_PER_QUOTE; j++) {
        body = j > i ? `${body} ${merged[j]!.text}` : merged[j]!.text;
        ranges.push(...merged[j]!.ranges);
        if (!/^[\p{Lu}\p{N}‘'(]/u.test(body)) break; // starts mid-sentence
        const ending = body.at(-1)!;
        if (ending === ':' || ending === ';') continue;
        const clean = ending === ',' ? `${body.slice(0, -1)}.` : body;
        if (!marksBalanced(clean)) continue;
        runs.push({ body: clean, ranges: [...ranges], sentences: j - i + 1 });
      }
    }
  }
  return runs;
}

function unitSpan(
  units: readonly Unit[],
  firstUnitOf: ReadonlyMap<number, number>,
  ranges: readonly TextRange[],
): { first: number; last: number } {
  const touches = (i: number) => ranges.some((r) => overlaps(units[i]!, r));
  let first = firstUnitOf.get(ranges[0]!.paragraph) ?? 0;
  while (first < units.length - 1 && !touches(first)) first++;
  let last = first;
  while (last + 1 < units.length && touches(last + 1)) last++;
  return { first, last };
}

/** A dot before two letters (a domain: "t.me", "example.org"), or a scheme: where X may count a URL as 23. */
const MAYBE_URL = /[\p{L}\p{N}]\.\p{L}{2}|:\/\//u;

/** Points off for each excerpt of the same quotation already chosen: variety across the article. */
const SAME_QUOTATION_PENALTY = 15;

/**
 * The best-scoring excerpts that share no words, picked one at a time; a second excerpt of a
 * quotation already picked counts 15 points less, so one long quotation does not fill every slot.
 * Ties go to the earlier excerpt.
 */
function chooseQuotes(candidates: readonly Candidate[], count: number): Set<Candidate> {
  const ranked = [...candidates].sort(
    (a, b) => (b.score ?? 0) - (a.score ?? 0) || a.units[0] - b.units[0] || a.units[1] - b.units[1],
  );
  const used: TextRange[] = [];
  const fromQuotation = new Map<Quotation, number>();
  const chosen = new Set<Candidate>();
  const effective = (c: Candidate) =>
    (c.score ?? 0) - SAME_QUOTATION_PENALTY * (c.quotation ? (fromQuotation.get(c.quotation) ?? 0) : 0);
  while (chosen.size < count) {
    let best: Candidate | undefined;
    for (const candidate of ranked) {
      if (chosen.has(candidate)) continue;
      if (candidate.overlapsAny(used)) continue;
      if (best === undefined || effective(candidate) > effective(best)) best = candidate;
      // Ranked by raw score: nothing later can beat `best` once raw scores fall below its effective one.
      if ((candidate.score ?? 0) < effective(best)) break;
    }
    if (!best) break;
    used.push(...best.ranges);
    if (best.quotation) fromQuotation.set(best.quotation, (fromQuotation.get(best.quotation) ?? 0) + 1);
    chosen.add(best);
  }
  return chosen;
}

const QUOTE_PAIRS: Record<string, string> = { '“': '”', '"': '"', '«': '»', '„': '“', '‘': '’' };

/**
 * Renders a candidate with the channel's template. When the template wraps {text} in quotation
 * marks: quoted words fill them; a run that is itself one whole quotation loses its own marks (no
 * ““…””); a run that merely contains a quotation goes without the template's marks (nested double
 * quotes read badly, and changing the article's marks would not be faithful). When the template
 * does not wrap {text}, quoted words get the article's own marks. Each variant of the template is
 * rendered once per credited name, with a marker where the text goes.
 */
/** How a candidate goes into the template: which rendered parts, what is put between them. */
interface Shape {
  readonly parts: readonly string[];
  /** The excerpt as it goes between the parts (without its own marks, or with added ones). */
  readonly insert: (body: string) => string;
  /** What that does to the length (each mark weighs 1). */
  readonly delta: number;
}

/**
 * Renders candidates with the channel's template. When the template wraps {text} in quotation
 * marks: quoted words fill them; a run that is itself one whole quotation loses its own marks (no
 * ““…””); a run that merely contains a quotation goes without the template's marks (nested double
 * quotes read badly, and changing the article's marks would not be faithful). When the template
 * does not wrap {text}, quoted words get the article's own marks. Each variant of the template is
 * rendered once per credited name, with a marker where the text goes; what it adds to the length
 * is measured once too (lengths are sums over words, and the marks weigh 1 each).
 */
function createRenderer(template: string, values: TemplateValues, rules: PlatformRules) {
  const at = template.indexOf('{text}');
  const before = template[at - 1];
  const close = before === undefined ? undefined : QUOTE_PAIRS[before];
  const wraps = close !== undefined && template[at + '{text}'.length] === close;
  const bareTemplate = wraps
    ? `${template.slice(0, at - 1)}{text}${template.slice(at + '{text}'.length + 1)}`
    : template;
  const marker = '\u0000\uffff';
  const cache = new Map<string, { plain: string[]; bare: string[] }>();
  const byVoice = new WeakMap<Voice, { plain: string[]; bare: string[] }>();
  const partsFor = (voice: Voice) => {
    const known = byVoice.get(voice);
    if (known) return known;
    const speaker = voice.attribution === 'in-text' ? undefined : voice.speaker;
    const author = voice.attribution === 'author' ? voice.speaker : undefined;
    const key = `${speaker ?? ''}\u0001${author ?? ''}`;
    let parts = cache.get(key);
    if (!parts) {
      const v = { ...values, speaker, author, text: marker };
      parts = {
        plain: renderTemplate(template, v).split(marker),
        bare: renderTemplate(bareTemplate, v).split(marker),
      };
      cache.set(key, parts);
    }
    byVoice.set(voice, parts);
    return parts;
  };
  const overheads = new Map<readonly string[], number>();
  const same = (body: string) => body;
  const unwrap = (body: string) => body.slice(1, -1);
  const plainShapes = new WeakMap<Voice, Shape>();
  return {
    /** The shape of a candidate; `body` is needed only when it holds quotation marks. */
    shape(voice: Voice, body: string | undefined): Shape {
      if (body === undefined && !voice.bare) {
        let shape = plainShapes.get(voice);
        if (!shape) {
          shape = { parts: partsFor(voice).plain, insert: same, delta: 0 };
          plainShapes.set(voice, shape);
        }
        return shape;
      }
      const parts = partsFor(voice);
      if (voice.bare) {
        if (wraps) return { parts: parts.plain, insert: same, delta: 0 };
        const [open, shut] = voice.bare.marks;
        return { parts: parts.plain, insert: (b) => `${open}${b}${shut}`, delta: 2 };
      }
      if (!wraps || body === undefined) return { parts: parts.plain, insert: same, delta: 0 };
      if (isOneWholeQuotation(body)) return { parts: parts.plain, insert: unwrap, delta: -2 };
      return { parts: /[“”"«»„]/.test(body) ? parts.bare : parts.plain, insert: same, delta: 0 };
    },
    render(shape: Shape, body: string): string {
      return shape.parts.join(shape.insert(body)).trim();
    },
    overheadOf(parts: readonly string[]): number {
      let overhead = overheads.get(parts);
      if (overhead === undefined) {
        overhead = rules.measure(parts.join('x').trim()) - 1;
        overheads.set(parts, overhead);
      }
      return overhead;
    },
  };
}

function isOneWholeQuotation(text: string): boolean {
  const open = text[0];
  const close = open ? QUOTE_PAIRS[open] : undefined;
  if (!open || !close || text.at(-1) !== close || text.length < 3) return false;
  // The closing mark at the end must be the one that closes the opening mark, not a later quote.
  const inner = text.slice(1, -1);
  return !inner.includes(close) && (open === close || !inner.includes(open));
}
