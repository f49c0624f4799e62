/**
 * How well an excerpt stands on its own as a post. Simple, additive and explainable, so an editor
 * can predict it (the README has the table). Every rule that fires is returned as a reason.
 */
export interface ExcerptScore {
  readonly score: number;
  readonly reasons: readonly string[];
}

export interface ExcerptFacts {
  readonly text: string;
  /** Length of the excerpt text, as the platform counts it. */
  readonly length: number;
  /** Room for the excerpt in a post after the template (the same unit). */
  readonly budget: number;
  /** How many sentences the excerpt joins. */
  readonly sentences: number;
  /** True when the excerpt is a piece of a sentence that was too long for a post. */
  readonly fragment: boolean;
}

/** Words that lean on what came before: an excerpt opening with one reads as a fragment. */
const LEANING_OPENERS = new Set(
  (
    'however but and or so yet also still then thus therefore hence moreover furthermore meanwhile ' +
    'instead indeed besides otherwise nevertheless nonetheless consequently accordingly likewise ' +
    'similarly additionally finally first second third next later afterwards this that these those ' +
    'it its they them their he she him her his such here there now which whose'
  ).split(' '),
);

/** Pronouns that point at someone named earlier. */
const DANGLING_PRONOUNS = /\b(he|she|they|him|her|them|his|hers|their|theirs)\b/i;

const ATTRIBUTION =
  /\b(said|says|told|tells|asked|asks|added|adds|wrote|writes|stated|states|declared|argued|argues|noted|notes|explained|insisted|warned|according to)\b/i;

const QUOTATION = /[“"«„][^”"»]{12,}[”"»]/;

export const SCORE_BASE = 50;

export function scoreExcerpt(facts: ExcerptFacts): ExcerptScore {
  const reasons: string[] = [];
  let score = SCORE_BASE;
  const add = (points: number, why: string) => {
    score += points;
    reasons.push(`${points > 0 ? '+' : ''}${points} ${why}`);
  };
  const text = facts.text.trim();
  const firstWord = /^[“"«„(‘']*([\p{L}’']+)/u.exec(text)?.[1]?.toLowerCase() ?? '';
  // The opening clause (String#split with a limit still scans the whole text: search stops early).
  const clauseEnd = text.search(/[,;:—–]/);
  const opening = clauseEnd === -1 ? text : text.slice(0, clauseEnd);

  const quoted = QUOTATION.test(text);
  if (quoted && ATTRIBUTION.test(text)) add(20, 'direct quotation with its speaker');
  else if (quoted) add(8, 'contains a quotation');

  // The last character before any closing marks (regexes anchored at the end scan the whole text).
  const last = lastBeforeClosing(text);
  if (!facts.fragment && /^[“"«„(‘']*\p{Lu}/u.test(text) && last !== '' && '.!?…'.includes(last))
    add(10, 'complete sentence(s)');
  if (LEANING_OPENERS.has(firstWord)) add(-25, `opens with "${firstWord}", which leans on what came before`);
  else if (DANGLING_PRONOUNS.test(opening) && !/\p{Lu}\p{Ll}+\s+\p{Lu}\p{Ll}+/u.test(opening)) {
    add(-15, 'a pronoun with no name before it');
  }
  if (last === ':') add(-20, 'ends with a colon (introduces what follows)');
  if (/^\(.*\)$/.test(text)) add(-10, 'entirely in parentheses');
  if (facts.fragment) add(-40, 'part of a sentence too long for one post');
  if (/\d/.test(text)) add(5, 'has a concrete figure');
  if (last === '?' && facts.sentences === 1) add(-5, 'a lone question');

  const ratio = facts.budget > 0 ? facts.length / facts.budget : 0;
  if (ratio >= 0.35 && ratio <= 0.95) add(10, 'comfortable length');
  else if (ratio < 0.2) add(-15, 'too short to stand alone');
  if (facts.sentences > 1) add(-3 * (facts.sentences - 1), 'joins several sentences');

  return { score, reasons };
}

const CLOSING = '"”»’)';

function lastBeforeClosing(text: string): string {
  let end = text.length;
  while (end > 0 && CLOSING.includes(text[end - 1]!)) end--;
  return end > 0 ? text[end - 1]! : '';
}
