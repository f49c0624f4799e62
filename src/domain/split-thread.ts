import type { Article } from './article.js';
import type { Quotation } from './find-quotations.js';
import type { PlatformRules } from './platform-rules.js';
import { joinUnits, measureSentences, separatorBetween, toUnits, type Unit } from './sentence-units.js';
import type { SplitPost, SplitResult, ThreadTemplates } from './split-types.js';
import { renderTemplate, type TemplateValues } from './template.js';

/** Less room than this for the article's words in a post, and the template is refused. */
export const MIN_TEXT_ROOM = 20;

/**
 * Thread mode: the whole body as a numbered chain of posts, packed the way an editor would:
 * - the first post carries the headline (the `first` template; `only` for a one-post thread);
 * - a sentence that fits in a post is never cut (only longer ones are, at their best clause);
 * - posts end at paragraph ends where the length allows; a quotation stays with its attribution;
 * - no post is an orphan of under a quarter of the target when moving text avoids it.
 * Breaks are chosen by dynamic programming over the sentences (as line breaking does for words):
 * each possible post is costed and the cheapest whole layout wins, so a good break later is not
 * spoiled by a greedy fill earlier.
 */
export function splitThread(
  article: Article,
  templates: ThreadTemplates,
  values: TemplateValues,
  target: number,
  rules: PlatformRules,
  quotations: readonly Quotation[],
): SplitResult {
  return withMetadataThatFits(values, THREAD_FALLBACKS, target, rules, (fitting, room) =>
    packThread(article, templates, fitting, room, rules, quotations),
  );
}

/**
 * What a page's own metadata may cost a thread, dropped in this order when the templates cannot
 * fit it: a 300-character <title> as the headline, a 5,000-character canonical link.
 */
const THREAD_FALLBACKS: readonly MetadataFallback[] = [
  { drop: ['title'], note: 'the headline is too long for the first post: the thread goes without it' },
  { drop: ['url'], note: 'the link is too long for the last post: the thread goes without it' },
  {
    drop: ['title', 'url'],
    note: 'the headline and the link are too long for the posts: the thread goes without them',
  },
];

function fitsAt(
  target: number,
  values: TemplateValues,
  split: (values: TemplateValues, target: number) => SplitResult,
): boolean {
  try {
    split(values, target);
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

export interface MetadataFallback {
  readonly drop: readonly (keyof TemplateValues)[];
  /** The warning the split carries when it went without them. */
  readonly note: string;
}

/**
 * Runs `split` with the article's metadata. When the templates cannot fit it (a RangeError) at the
 * channel's target, and would not at the platform's limit either, no setting can help: the page's
 * own metadata (its <title>, author or canonical link, which the page writer controls) is too long
 * for the platform. Then the split goes without the fields of each fallback in turn, with a warning.
 * Otherwise the error is the channel's: its target is too small for its template and that is
 * thrown, naming the setting to change.
 */
export function withMetadataThatFits(
  values: TemplateValues,
  fallbacks: readonly MetadataFallback[],
  target: number,
  rules: PlatformRules,
  split: (values: TemplateValues, target: number) => SplitResult,
): SplitResult {
  try {
    return split(values, target);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    if (target < rules.maxLength && fitsAt(rules.maxLength, values, split)) throw error;
    for (const { drop, note } of fallbacks) {
      if (drop.every((field) => values[field] === undefined)) continue;
      const fewer: TemplateValues = { ...values };
      for (const field of drop) delete fewer[field];
      try {
        const result = split(fewer, target);
        return { ...result, warnings: [...result.warnings, note] };
      } catch (again) {
        if (!(again instanceof RangeError)) throw again;
      }
    }
    throw error;
  }
}

function packThread(
  article: Article,
  templates: ThreadTemplates,
  values: TemplateValues,
  target: number,
  rules: PlatformRules,
  quotations: readonly Quotation[],
): SplitResult {
  const sentences = measureSentences(article.paragraphs, rules);
  const roles = ['first', 'middle', 'last', 'only'] as const;
  // Numbering takes room, so the number of posts decides the budget: start from an estimate (a
  // long article would otherwise be packed once at "9/9" only to find it needs "999/999").
  const estimate =
    sentences.reduce((sum, s) => sum + Math.min(s.length, s.text.length) + 1, 0) / (target / 2);
  let digits = String(Math.max(1, Math.ceil(estimate))).length;
  let slack = 0;
  for (let round = 0; round < 8; round++) {
    const guess = 10 ** digits - 1;
    const room = Object.fromEntries(
      roles.map((role) => {
        const overhead = rules.measure(
          renderTemplate(templates[role], { ...values, text: '', n: guess, total: guess }),
        );
        return [role, target - overhead - slack];
      }),
    ) as Record<(typeof roles)[number], number>;
    // Middle and last posts must leave room for text. The first may be the headline alone, and
    // a one-post thread ("only": headline and link together) is used only when it has room.
    const hasTitle =
      values.title !== undefined &&
      values.title !== '' &&
      renderTemplate(templates.first, { ...values, text: '', n: 1, total: 1 }).includes(String(values.title));
    const required = hasTitle ? (['middle', 'last'] as const) : (['first', 'middle', 'last'] as const);
    const tightest = Math.min(...required.map((r) => room[r]));
    if (tightest < MIN_TEXT_ROOM || room.first < 0) {
      const role = room.first < 0 ? 'first' : required.find((r) => room[r] === tightest)!;
      const needed = target - room[role];
      throw new RangeError(
        `the thread's ${role} template needs ${needed} of ${target} ${rules.unit} before any text; raise the length target to at least ${needed + MIN_TEXT_ROOM} or shorten the template`,
      );
    }
    // Sentences are cut only when longer than a middle post: the last post's link does not make
    // every sentence shorter (the link may go alone at the end instead).
    const budget = room.middle;
    // A first sentence that does not fit under the headline is not cut: the headline goes alone.
    const firstLength = sentences[0]?.length ?? 0;
    const headlineAlone =
      hasTitle && (room.first < MIN_TEXT_ROOM || (firstLength > room.first && firstLength <= budget));
    const units = toUnits(sentences, budget, rules, headlineAlone ? budget : room.first);
    const packRoom = headlineAlone
      ? { ...room, first: budget, only: room.last }
      : { ...room, only: room.only < MIN_TEXT_ROOM ? -1 : room.only };
    const packed = packUnits(units, article.paragraphs, packRoom, target, quotationGlue(units, quotations));
    const groups = headlineAlone ? [{ first: 0, units: [] }, ...packed] : packed;
    const total = groups.length;
    if (String(total).length > digits) {
      digits = String(total).length;
      continue;
    }
    const posts: SplitPost[] = groups.map((group, i) => {
      const role = total === 1 ? 'only' : i === 0 ? 'first' : i === total - 1 ? 'last' : 'middle';
      const body = joinUnits(group.units, article.paragraphs);
      const text = renderTemplate(templates[role], { ...values, text: body, n: i + 1, total })
        .replace(/\n{3,}/g, '\n\n')
        .trim();
      return {
        text,
        length: rules.measure(text),
        body,
        forced: group.units.some((u) => u.forced),
        // A headline-only first post or a link-only last one covers no sentence: it points at the nearest.
        units: [group.first, group.first + Math.max(0, group.units.length - 1)] as const,
      };
    });
    const worst = Math.max(...posts.map((p) => p.length));
    if (worst > target) {
      // The additive estimate missed (a URL glued to template punctuation): tighten and repack.
      slack += worst - target;
      continue;
    }
    const warnings = posts.some((p) => p.forced)
      ? ['a word longer than a whole post was cut inside the word']
      : [];
    return { posts, selected: posts, warnings };
  }
  throw new RangeError(
    'could not fit the thread into posts; shorten the template or raise the length target',
  );
}

// Costs of a layout, in arbitrary points: only their order matters. A post costs something, so
// fewer posts win when all else is equal; breaking mid-paragraph costs more than at its end, mid-
// sentence (a sentence longer than a post) more still, and between a quotation and its speaker most.
const COST_PER_POST = 300;
const COST_BREAK_IN_PARAGRAPH = 400;
/** A paragraph's first sentence left at the end of a post, or its last alone at the top of the next. */
const COST_WIDOW = 300;
const COST_BREAK_IN_SENTENCE = 500;
const COST_BREAK_BETWEEN_LIST_ITEMS = 60;
const COST_BREAK_AFTER_INTRO = 400;
const COST_ORPHAN = 3000;
/** A quotation cut from its speaker (or a speaker's run of quotations cut) when both would fit. */
const COST_SPLIT_QUOTATION = 6000;
const COST_UNDERFILL = 250;
/** The link alone in a last post of its own, because the last words did not fit beside it. */
const COST_LINK_ALONE = 600;

/** Extra cost of a break after unit i, from quotations: a quotation and its attribution stay together. */
function quotationGlue(units: readonly Unit[], quotations: readonly Quotation[]): number[] {
  // Each unit's quotation: the one whose marked text or attribution it overlaps.
  const byParagraph = new Map<number, { start: number; end: number; owner: number }[]>();
  quotations.forEach((q) => {
    const owner = q.group;
    for (const range of q.attribution ? [...q.marked, q.attribution] : q.marked) {
      const list = byParagraph.get(range.paragraph) ?? [];
      list.push({ start: range.start, end: range.end, owner });
      byParagraph.set(range.paragraph, list);
    }
  });
  const owner = units.map(
    (unit) =>
      byParagraph.get(unit.paragraph)?.find((r) => unit.start < r.end && r.start < unit.end)?.owner ?? -1,
  );
  return units.map((_, i) =>
    i + 1 < units.length && owner[i] !== -1 && owner[i] === owner[i + 1] ? COST_SPLIT_QUOTATION : 0,
  );
}

interface Group {
  readonly first: number;
  readonly units: Unit[];
}

function packUnits(
  units: readonly Unit[],
  paragraphs: readonly string[],
  room: Readonly<Record<'first' | 'middle' | 'last' | 'only', number>>,
  target: number,
  glue: readonly number[],
): Group[] {
  const n = units.length;
  if (n === 0) return [];
  const maxRoom = Math.max(room.first, room.middle, room.last, room.only);
  const orphanBelow = target / 4;
  // best[i]: cheapest layout of units i..n-1 when a post starts at i; next[i]: where the next post
  // starts; linkAlone[i]: the post from i holds the last units, and the link follows alone.
  const best = new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY);
  const next = new Array<number>(n + 1).fill(n);
  const linkAlone = new Array<boolean>(n + 1).fill(false);
  best[n] = 0;
  for (let i = n - 1; i >= 0; i--) {
    let length = 0;
    for (let j = i; j < n; j++) {
      length +=
        (j > i ? separatorBetween(units[j - 1]!, units[j]!, paragraphs).length : 0) + units[j]!.length;
      if (length > maxRoom) break;
      const last = j === n - 1;
      let budget = i === 0 ? (last ? room.only : room.first) : last ? room.last : room.middle;
      let extra = 0;
      if (last && length > budget) {
        // Too long to share the last post with the link: a middle-sized post, then the link.
        budget = i === 0 ? room.first : room.middle;
        extra = COST_PER_POST + COST_LINK_ALONE;
      }
      if (length > budget || best[j + 1] === Number.POSITIVE_INFINITY) continue;
      let cost = COST_PER_POST + best[j + 1]! + extra;
      if (!last) cost += breakCost(units, j, paragraphs) + glue[j]!;
      // A short post is an orphan unless it is the whole thread.
      if (length < orphanBelow && !(i === 0 && last)) cost += COST_ORPHAN;
      else cost += COST_UNDERFILL * ((budget - length) / budget) ** 2;
      if (cost < best[i]!) {
        best[i] = cost;
        next[i] = j + 1;
        linkAlone[i] = extra > 0;
      }
    }
    if (best[i] === Number.POSITIVE_INFINITY) {
      // Cannot happen: every unit fits a middle post on its own. Keep going with a lone post.
      best[i] = COST_PER_POST + best[i + 1]!;
      next[i] = i + 1;
    }
  }
  const groups: Group[] = [];
  for (let i = 0; i < n; i = next[i]!) {
    groups.push({ first: i, units: units.slice(i, next[i]!) });
    if (linkAlone[i]) groups.push({ first: n - 1, units: [] });
  }
  return groups;
}

/** The cost of ending a post after unit j. */
function breakCost(units: readonly Unit[], j: number, paragraphs: readonly string[]): number {
  const unit = units[j]!;
  const following = units[j + 1]!;
  if (unit.paragraph === following.paragraph) {
    if (unit.sentence === following.sentence) return COST_BREAK_IN_SENTENCE;
    const previous = units[j - 1];
    const afterNext = units[j + 2];
    const widow = previous === undefined || previous.paragraph !== unit.paragraph;
    const orphan = afterNext === undefined || afterNext.paragraph !== following.paragraph;
    return COST_BREAK_IN_PARAGRAPH + (widow ? COST_WIDOW : 0) + (orphan ? COST_WIDOW : 0);
  }
  const separator = separatorBetween(unit, following, paragraphs);
  if (separator === '\n') return COST_BREAK_BETWEEN_LIST_ITEMS;
  // "Here is what changes:" followed by its list.
  if (/:\s*$/.test(unit.text)) return COST_BREAK_AFTER_INTRO;
  return 0;
}
