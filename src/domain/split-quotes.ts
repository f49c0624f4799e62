import { type Article, isListItem } from './article.js';
import type { Quotation, TextRange } from './find-quotations.js';
import type { PlatformRules } from './platform-rules.js';
import { scoreExcerpt } from './score-excerpt.js';
import { segmentParagraph } from './segment-sentences.js';
import { locatePieces, measureSentences, toUnits, type Unit } from './sentence-units.js';
import type { Attribution, SplitPost, SplitResult, SplitSettings } from './split-article.js';
import { MIN_TEXT_ROOM } from './split-thread.js';
import { renderTemplate, type TemplateValues } from './template.js';

const MAX_SENTENCES_PER_QUOTE = 3;

type Candidate = { -readonly [K in keyof SplitPost]: SplitPost[K] } & {
  ranges: TextRange[];
  /** The quotation the words come from, so one long quotation does not fill every slot. */
  quotation?: Quotation;
};

/** How a candidate's words relate to the people in the article. */
interface Voice {
  readonly attribution: Attribution;
  /** Whom the post credits: a quotation's speaker, or the author for the author's own words. */
  readonly speaker?: string;
  /** The body is the quoted words themselves (marks come from the template, or are added). */
  readonly bare?: Quotation;
  /** The quotation the post carries, if any. */
  readonly quotation?: Quotation;
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
  const template = settings.quoteTemplate;
  const plainValues = { ...values, speaker: undefined, author: undefined };
  const overhead = rules.measure(renderTemplate(template, { ...plainValues, text: '' }).trim());
  const budget = target - overhead;
  if (budget < MIN_TEXT_ROOM) {
    throw new RangeError(
      `the quote template needs ${overhead} of ${target} ${rules.unit} before any text; raise the length target to at least ${overhead + MIN_TEXT_ROOM} or shorten the template`,
    );
  }
  const units = toUnits(measureSentences(article.paragraphs, rules), budget, rules);
  const credits = /\{(speaker|author)\}/.test(template);
  const render = createRenderer(template, values);
  const candidates: Candidate[] = [];
  const add = (
    body: string,
    ranges: TextRange[],
    voice: Voice,
    facts: { sentences: number; fragment: boolean; forced: boolean; first: number; last: number },
  ) => {
    const text = render(body, voice);
    const length = rules.measure(text);
    if (length > target) return;
    const speaker = voice.attribution === 'in-text' || credits ? voice.speaker : undefined;
    const { score, reasons } = scoreExcerpt({
      text: body,
      length: rules.measure(body),
      budget,
      sentences: facts.sentences,
      fragment: facts.fragment,
      quotation: voice.bare ? 'quoted-words' : voice.attribution === 'in-text' ? 'with-attribution' : 'none',
      ...(speaker && voice.attribution !== 'author' ? { speaker } : {}),
    });
    candidates.push({
      text,
      length,
      body,
      forced: facts.forced,
      score,
      reasons,
      units: [facts.first, facts.last],
      chosen: false,
      attribution: speaker ? voice.attribution : 'none',
      ...(speaker ? { speaker } : {}),
      ranges,
      ...(voice.quotation ? { quotation: voice.quotation } : {}),
    });
  };

  const quoteIndex = indexByParagraph(quotations);
  for (let start = 0; start < units.length; start++) {
    const first = units[start]!;
    if (isListItem(article.paragraphs[first.paragraph]!)) continue; // a list item leans on its intro
    let body = '';
    let length = 0;
    let forced = false;
    for (let end = start; end < units.length && end - start < MAX_SENTENCES_PER_QUOTE; end++) {
      const unit = units[end]!;
      if (unit.paragraph !== first.paragraph) break;
      length += (end > start ? 1 : 0) + unit.length;
      if (length > budget) break;
      // A fragment of a long sentence only ever stands alone (so a group is a fragment iff `first` is).
      if (end > start && (unit.fragment || first.fragment)) break;
      body = end > start ? `${body} ${unit.text}` : unit.text;
      forced ||= unit.forced;
      const range = { paragraph: first.paragraph, start: first.start, end: unit.end };
      const voice = voiceOf(range, body, quoteIndex.get(first.paragraph) ?? [], article.byline);
      if (!voice) continue;
      add(body, [range], voice, {
        sentences: end - start + 1,
        fragment: first.fragment,
        forced,
        first: start,
        last: end,
      });
    }
  }
  for (const quotation of quotations) {
    for (const run of quotationRuns(quotation, article.paragraphs)) {
      add(
        run.body,
        run.ranges,
        {
          attribution: 'speaker',
          bare: quotation,
          quotation,
          ...(quotation.speaker ? { speaker: quotation.speaker } : {}),
        },
        {
          sentences: run.sentences,
          fragment: false,
          forced: false,
          ...unitSpan(units, run.ranges),
        },
      );
    }
  }
  candidates.sort((a, b) => a.units[0] - b.units[0] || a.units[1] - b.units[1]);
  for (const candidate of chooseQuotes(candidates, settings.quotesPerArticle)) candidate.chosen = true;
  const posts: SplitPost[] = candidates.map(({ ranges: _ranges, quotation: _quotation, ...post }) => post);
  const warnings = posts.some((p) => p.forced && p.chosen)
    ? ['a word longer than a whole post was cut inside the word']
    : [];
  return { posts, selected: posts.filter((p) => p.chosen), warnings };
}

function indexByParagraph(quotations: readonly Quotation[]): Map<number, Quotation[]> {
  const index = new Map<number, Quotation[]>();
  for (const q of quotations) {
    for (const paragraph of new Set(q.marked.map((r) => r.paragraph))) {
      const list = index.get(paragraph) ?? [];
      list.push(q);
      index.set(paragraph, list);
    }
  }
  return index;
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
  quotations: readonly Quotation[],
  author: string | undefined,
): Voice | undefined {
  if (!marksBalanced(body)) return undefined;
  const touched = quotations.filter((q) => q.marked.some((m) => overlaps(m, range)));
  if (touched.length === 0)
    return author ? { attribution: 'author', speaker: author } : { attribution: 'none' };
  if (touched.some((q) => !q.marked.every((m) => contains(range, m)))) return undefined;
  // One quotation and nothing else: the quoted words are their own candidate already.
  if (touched.length === 1 && touched[0]!.marked.length === 1 && isOnly(range, touched[0]!.marked[0]!, body))
    return undefined;
  const speakers = new Set(touched.map((q) => q.speaker));
  const attributed = touched.every((q) => q.attribution && contains(range, q.attribution));
  if (attributed && speakers.size === 1) {
    const speaker = touched[0]!.speaker;
    const quotation = touched.length === 1 ? touched[0]! : undefined;
    return speaker
      ? { attribution: 'in-text', speaker, ...(quotation ? { quotation } : {}) }
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
  for (const ch of text) {
    if (ch === '“' || ch === '«' || ch === '„') depth++;
    else if (ch === '”' || ch === '»') {
      if (--depth < 0) return false;
    } else if (ch === '"') straight++;
  }
  return depth === 0 && straight % 2 === 0;
}

interface Run {
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
function quotationRuns(quotation: Quotation, paragraphs: readonly string[]): Run[] {
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
  const runs: Run[] = [];
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

function unitSpan(units: readonly Unit[], ranges: readonly TextRange[]): { first: number; last: number } {
  const first = units.findIndex((u) => ranges.some((r) => overlaps(u, r)));
  let last = first;
  for (let i = first; i >= 0 && i < units.length && ranges.some((r) => overlaps(units[i]!, r)); i++) last = i;
  return { first: Math.max(0, first), last: Math.max(0, last) };
}

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
      if (candidate.ranges.some((r) => used.some((u) => overlaps(r, u)))) continue;
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
function createRenderer(template: string, values: TemplateValues): (body: string, voice: Voice) => string {
  const at = template.indexOf('{text}');
  const before = template[at - 1];
  const close = before === undefined ? undefined : QUOTE_PAIRS[before];
  const wraps = close !== undefined && template[at + '{text}'.length] === close;
  const bareTemplate = wraps
    ? `${template.slice(0, at - 1)}{text}${template.slice(at + '{text}'.length + 1)}`
    : template;
  const marker = '\u0000\uffff';
  const cache = new Map<string, { plain: string[]; bare: string[] }>();
  const partsFor = (voice: Voice) => {
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
    return parts;
  };
  const fill = (parts: readonly string[], text: string) => parts.join(text).trim();
  return (body, voice) => {
    const parts = partsFor(voice);
    if (voice.bare)
      return wraps
        ? fill(parts.plain, body)
        : fill(parts.plain, `${voice.bare.marks[0]}${body}${voice.bare.marks[1]}`);
    if (!wraps) return fill(parts.plain, body);
    if (isOneWholeQuotation(body)) return fill(parts.plain, body.slice(1, -1));
    return fill(/[“”"«»„]/.test(body) ? parts.bare : parts.plain, body);
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
