import type { Article, PostingMode } from './article.js';
import { cutToFit } from './cut-to-fit.js';
import type { PlatformRules } from './platform-rules.js';
import { scoreExcerpt } from './score-excerpt.js';
import { segmentParagraph } from './segment-sentences.js';
import { renderTemplate, type TemplateValues } from './template.js';

export interface ThreadTemplates {
  readonly first: string;
  readonly middle: string;
  readonly last: string;
}

/** What a channel decides about its posts (see config/default.yaml for the documented defaults). */
export interface SplitSettings {
  readonly mode: PostingMode;
  /** Longest post, template included, as the platform counts it; at most the platform's limit. */
  readonly targetLength: number;
  readonly quoteTemplate: string;
  readonly threadTemplates: ThreadTemplates;
  /** How many quotes of an article a channel posts (quotes mode). */
  readonly quotesPerArticle: number;
  readonly hashtags: readonly string[];
}

export interface SplitPost {
  /** The full post exactly as it would be sent. */
  readonly text: string;
  /** Length of `text` as the platform counts it. */
  readonly length: number;
  /** The article words in this post, without template or numbering. */
  readonly body: string;
  /** True when a token longer than a post had to be cut inside a word. */
  readonly forced: boolean;
  /** Quotes mode: how well the excerpt stands alone, why, and whether it was chosen. */
  readonly score?: number;
  readonly reasons?: readonly string[];
  readonly chosen?: boolean;
  /** Index of the first and last sentence unit the post covers (as `sentences` prints them). */
  readonly units: readonly [number, number];
}

export interface SplitResult {
  /** Thread mode: every post in order. Quotes mode: every candidate in article order. */
  readonly posts: readonly SplitPost[];
  /** Quotes mode: the chosen posts in article order; thread mode: same as posts. */
  readonly selected: readonly SplitPost[];
  readonly warnings: readonly string[];
}

interface Unit {
  readonly text: string;
  readonly paragraph: number;
  readonly length: number;
  readonly fragment: boolean;
  readonly forced: boolean;
}

const MAX_SENTENCES_PER_QUOTE = 3;

/** Splits an article into posts for one channel. Deterministic: same input, same posts. */
export function splitArticle(article: Article, settings: SplitSettings, rules: PlatformRules): SplitResult {
  const target = Math.min(settings.targetLength, rules.maxLength);
  const values: TemplateValues = {
    title: article.title || undefined,
    author: article.byline,
    publication: article.publication,
    url: article.url,
    hashtags: settings.hashtags.length ? settings.hashtags.join(' ') : undefined,
  };
  return settings.mode === 'thread'
    ? splitThread(article, settings.threadTemplates, values, target, rules)
    : splitQuotes(article, settings, values, target, rules);
}

interface Sentence {
  readonly text: string;
  readonly paragraph: number;
  readonly length: number;
}

/**
 * The body's sentences, each measured once (thread mode re-packs at several budgets). A sentence
 * of more than four posts' worth of characters is not measured whole: it will be cut anyway, and
 * twitter-text is slow on long texts (cutToFit measures only post-sized prefixes).
 */
function measureSentences(article: Article, rules: PlatformRules): Sentence[] {
  const sentences: Sentence[] = [];
  article.paragraphs.forEach((paragraph, index) => {
    for (const text of segmentParagraph(paragraph)) {
      const length = text.length > 4 * rules.maxLength ? Number.POSITIVE_INFINITY : rules.measure(text);
      sentences.push({ text, paragraph: index, length });
    }
  });
  return sentences;
}

/** Sentence units of the body, with any sentence longer than `budget` cut into pieces that fit. */
function toUnits(sentences: readonly Sentence[], budget: number, rules: PlatformRules): Unit[] {
  const units: Unit[] = [];
  for (const sentence of sentences) {
    if (sentence.length <= budget) {
      units.push({ ...sentence, fragment: false, forced: false });
      continue;
    }
    const { pieces, forced } = cutToFit(sentence.text, budget, rules.measure);
    if (pieces.length === 1) {
      // Not measured whole because it was long in characters, but it fits (URLs count 23 on X).
      units.push({ ...sentence, length: rules.measure(sentence.text), fragment: false, forced: false });
      continue;
    }
    for (const piece of pieces) {
      units.push({
        text: piece,
        paragraph: sentence.paragraph,
        length: rules.measure(piece),
        fragment: true,
        forced,
      });
    }
  }
  return units;
}

// ---- thread mode -------------------------------------------------------------------------------

function splitThread(
  article: Article,
  templates: ThreadTemplates,
  values: TemplateValues,
  target: number,
  rules: PlatformRules,
): SplitResult {
  const warnings: string[] = [];
  const sentences = measureSentences(article, rules);
  let totalGuess = 9;
  let slack = 0;
  for (let round = 0; round < 8; round++) {
    const overhead = Math.max(
      ...[templates.first, templates.middle, templates.last].map((t) =>
        rules.measure(renderTemplate(t, { ...values, text: '', n: totalGuess, total: totalGuess })),
      ),
    );
    const budget = target - overhead - slack;
    if (budget < 10) {
      throw new RangeError(
        `the thread template leaves only ${budget} of ${target} ${rules.unit} for text; shorten the template or raise the length target`,
      );
    }
    const units = toUnits(sentences, budget, rules);
    const groups = packUnits(units, budget);
    const total = groups.length;
    if (String(total).length > String(totalGuess).length) {
      totalGuess = 10 ** String(total).length - 1;
      continue;
    }
    const posts = groups.map((group, i) => {
      // A one-post thread takes the last template: that is where the link and hashtags are.
      const template = i === total - 1 ? templates.last : i === 0 ? templates.first : templates.middle;
      const body = joinUnits(group.units);
      const text = renderTemplate(template, { ...values, text: body, n: i + 1, total }).trim();
      return {
        text,
        length: rules.measure(text),
        body,
        forced: group.units.some((u) => u.forced),
        units: [group.first, group.first + group.units.length - 1] as const,
      };
    });
    const worst = Math.max(...posts.map((p) => p.length));
    if (worst > target) {
      // The additive estimate missed (a URL glued to template punctuation): tighten and repack.
      slack += worst - target;
      continue;
    }
    if (posts.some((p) => p.forced)) warnings.push('a word longer than a whole post was cut inside the word');
    return { posts, selected: posts, warnings };
  }
  throw new RangeError(
    'could not fit the thread into posts; shorten the template or raise the length target',
  );
}

function packUnits(units: readonly Unit[], budget: number): { first: number; units: Unit[] }[] {
  const groups: { first: number; units: Unit[]; length: number }[] = [];
  units.forEach((unit, index) => {
    const current = groups.at(-1);
    const last = current?.units.at(-1);
    const separator = last ? (last.paragraph === unit.paragraph ? 1 : 2) : 0;
    if (current && current.length + separator + unit.length <= budget) {
      current.units.push(unit);
      current.length += separator + unit.length;
    } else {
      groups.push({ first: index, units: [unit], length: unit.length });
    }
  });
  return groups;
}

/** Sentences of one paragraph join with a space, paragraphs with a blank line. */
function joinUnits(units: readonly Unit[]): string {
  let out = '';
  units.forEach((unit, i) => {
    if (i > 0) out += units[i - 1]!.paragraph === unit.paragraph ? ' ' : '\n\n';
    out += unit.text;
  });
  return out;
}

// ---- quotes mode -------------------------------------------------------------------------------

function splitQuotes(
  article: Article,
  settings: SplitSettings,
  values: TemplateValues,
  target: number,
  rules: PlatformRules,
): SplitResult {
  const overhead = rules.measure(renderQuote(settings.quoteTemplate, values, ''));
  const budget = target - overhead;
  if (budget < 10) {
    throw new RangeError(
      `the quote template leaves only ${budget} of ${target} ${rules.unit} for text; shorten the template or raise the length target`,
    );
  }
  const units = toUnits(measureSentences(article, rules), budget, rules);
  const render = createQuoteRenderer(settings.quoteTemplate, values);
  // Length is additive over text that holds no URL (the only thing X counts as a whole), so most
  // candidates are measured as template + sentences instead of parsing each one again; anything
  // URL-like, and every Telegram text (where measuring is free), is measured whole.
  const renderedOverhead = new Map<number, number>();
  const measureQuote = (text: string, body: string, bodyLength: number): number => {
    if (rules.platform !== 'twitter' || MAYBE_URL.test(body)) return rules.measure(text);
    const extra = text.length - body.length;
    let overheadOf = renderedOverhead.get(extra);
    if (overheadOf === undefined) {
      overheadOf = rules.measure(text) - bodyLength;
      renderedOverhead.set(extra, overheadOf);
    }
    return bodyLength + overheadOf;
  };
  const candidates: { -readonly [K in keyof SplitPost]: SplitPost[K] }[] = [];
  for (let start = 0; start < units.length; start++) {
    const first = units[start]!;
    let length = 0;
    let body = '';
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
      const text = render(body);
      const exact = measureQuote(text, body, length);
      if (exact > target) continue;
      const { score, reasons } = scoreExcerpt({
        text: body,
        length,
        budget,
        sentences: end - start + 1,
        fragment: first.fragment,
      });
      candidates.push({
        text,
        length: exact,
        body,
        forced,
        score,
        reasons,
        units: [start, end],
        chosen: false,
      });
    }
  }
  for (const candidate of chooseQuotes(candidates, settings.quotesPerArticle)) candidate.chosen = true;
  const posts: readonly SplitPost[] = candidates;
  const warnings = posts.some((p) => p.forced && p.chosen)
    ? ['a word longer than a whole post was cut inside the word']
    : [];
  return { posts, selected: posts.filter((p) => p.chosen), warnings };
}

/** Best-scoring excerpts that share no sentence, ties broken by position (earlier wins). */
function chooseQuotes<T extends SplitPost>(candidates: readonly T[], count: number): Set<T> {
  const ranked = [...candidates].sort(
    (a, b) => (b.score ?? 0) - (a.score ?? 0) || a.units[0] - b.units[0] || a.units[1] - b.units[1],
  );
  const used = new Set<number>();
  const chosen = new Set<T>();
  for (const candidate of ranked) {
    if (chosen.size >= count) break;
    const [from, to] = candidate.units;
    let free = true;
    for (let i = from; i <= to; i++) if (used.has(i)) free = false;
    if (!free) continue;
    for (let i = from; i <= to; i++) used.add(i);
    chosen.add(candidate);
  }
  return chosen;
}

/** A dot between letters or digits (a domain), or a scheme: where X may count a URL as 23. */
const MAYBE_URL = /[\p{L}\p{N}]\.[\p{L}\p{N}]|:\/\//u;

const QUOTE_PAIRS: Record<string, string> = { '“': '”', '"': '"', '«': '»', '„': '“', '‘': '’' };

/**
 * Renders a quote. When the template wraps {text} in quotation marks and the excerpt is itself one
 * whole quotation, the excerpt's own marks are dropped so the post does not read ““…””. When the
 * excerpt merely contains a quotation, the template's marks are left out instead: nested double
 * quotes read badly, and changing the article's own marks would not be a faithful excerpt.
 */
export function renderQuote(template: string, values: TemplateValues, body: string): string {
  const at = template.indexOf('{text}');
  const before = template[at - 1];
  const close = before === undefined ? undefined : QUOTE_PAIRS[before];
  const after = template[at + '{text}'.length];
  if (close === undefined || after !== close)
    return renderTemplate(template, { ...values, text: body }).trim();
  if (isOneWholeQuotation(body))
    return renderTemplate(template, { ...values, text: body.slice(1, -1) }).trim();
  if (/[“”"«»„]/.test(body)) {
    const bare = `${template.slice(0, at - 1)}{text}${template.slice(at + '{text}'.length + 1)}`;
    return renderTemplate(bare, { ...values, text: body }).trim();
  }
  return renderTemplate(template, { ...values, text: body }).trim();
}

/**
 * renderQuote for the many excerpts of one article: each variant of the template is rendered once,
 * with a marker where the text goes, and each excerpt is put in its place (the same result for any
 * non-empty excerpt). Falls back to renderQuote if a value could contain the marker.
 */
function createQuoteRenderer(template: string, values: TemplateValues): (body: string) => string {
  const marker = '\u0000\uffff';
  if (Object.values(values).some((v) => typeof v === 'string' && v.includes(marker))) {
    return (body) => renderQuote(template, values, body);
  }
  const at = template.indexOf('{text}');
  const before = template[at - 1];
  const close = before === undefined ? undefined : QUOTE_PAIRS[before];
  const wraps = close !== undefined && template[at + '{text}'.length] === close;
  const partsOf = (t: string) => renderTemplate(t, { ...values, text: marker }).split(marker);
  const plain = partsOf(template);
  const bare = wraps
    ? partsOf(`${template.slice(0, at - 1)}{text}${template.slice(at + '{text}'.length + 1)}`)
    : plain;
  const fill = (parts: readonly string[], text: string) => parts.join(text).trim();
  return (body) => {
    if (!wraps) return fill(plain, body);
    if (isOneWholeQuotation(body)) return fill(plain, body.slice(1, -1));
    return fill(/[“”"«»„]/.test(body) ? bare : plain, body);
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

export const MODES: readonly PostingMode[] = ['quotes', 'thread'];
