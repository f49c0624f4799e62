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
  /**
   * `quoted-words`: the excerpt is the words of a direct quotation (the template adds the marks);
   * `with-attribution`: it holds a quotation and the words that say who spoke; `none` otherwise.
   */
  readonly quotation?: 'quoted-words' | 'with-attribution' | 'none';
  /** Whom the post credits for the quoted words, when known. */
  readonly speaker?: string;
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

/** "…,” he said." — an attribution to a pronoun: reads as a fragment when nobody is named. */
const PRONOUN_ATTRIBUTION = /[,.!?]["”»]\s+(he|she|they)\s+(said|says|told|added|asked|wrote)\b/i;

const QUOTATION = /[“"«„][^”"»]{12,}[”"»]/;

/** Announcements of when and where, not news: "The briefing will air live at 11 a.m. on …". */
const LOGISTICS =
  /\b(will (air|stream|be (streamed|broadcast|televised|available|held|livestreamed))|live\s?stream|watch (it )?live|broadcast live|register (at|by|online|here)|rsvp|tickets? (are|go|will go) on sale|media (accreditation|availability)|for more information|more information (is|will be) available|is available (at|on) \S+\.\S+|can be found (at|on)|news conference (will|is scheduled)|briefing (will|is scheduled)|doors open at)\b/i;

/** What a photo caption says ("… are seen inside the spacecraft", "pictured left"). */
const CAPTION =
  /\b(is|are|was|were) (seen|pictured|shown|photographed)\b|\bpictured\b|\((left|right|center|centre)\)|\bfrom left\b|\bleft to right\b/i;

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

  const quotedWords = facts.quotation === 'quoted-words';
  const quoted = quotedWords || QUOTATION.test(text);
  if (quoted && facts.speaker) add(20, `a direct quotation of ${facts.speaker}`);
  else if (quotedWords || facts.quotation === 'with-attribution')
    add(-5, 'a quotation whose speaker is not known');
  else if (quoted) add(5, 'contains a quotation');
  if (!facts.speaker && PRONOUN_ATTRIBUTION.test(text)) add(-15, 'attributed to a pronoun with no name');

  // The last character before any closing marks (regexes anchored at the end scan the whole text).
  const last = lastBeforeClosing(text);
  if (!facts.fragment && /^[“"«„(‘']*\p{Lu}/u.test(text) && last !== '' && '.!?…'.includes(last))
    add(10, 'complete sentence(s)');
  if (LEANING_OPENERS.has(firstWord) && !(quotedWords && QUOTED_OPENERS_OK.has(firstWord)))
    add(-25, `opens with "${firstWord}", which leans on what came before`);
  else if (
    // Inside a quotation, "we" and "they" are the speaker's own voice, not a dangling reference.
    !quotedWords &&
    DANGLING_PRONOUNS.test(outsideQuotes(opening)) &&
    !/\p{Lu}\p{Ll}+\s+\p{Lu}\p{Ll}+/u.test(opening)
  ) {
    add(-15, 'a pronoun with no name before it');
  }
  if (LOGISTICS.test(text)) add(-30, 'logistics (when and where), not news');
  if (CAPTION.test(text)) add(-30, 'reads like a photo caption');
  const crowd = namesCrowd(text);
  if (crowd) add(-25, `crowded with names (${crowd} capitalised words)`);
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

/** Openers that lean on context in prose but are a speaker's own emphasis inside a quotation. */
const QUOTED_OPENERS_OK = new Set([
  'here',
  'there',
  'now',
  'this',
  'that',
  'these',
  'those',
  'it',
  'its',
  'they',
  'their',
  'them',
]);

/** The text with quoted passages removed. */
function outsideQuotes(text: string): string {
  return text.replace(/[“"«„][^”"»]*[”"»]?/g, ' ');
}

/**
 * A lede that lists people and organisations ("Mayor Tom Baines, Port Authority Director Ana Ruiz
 * and …") does not stand alone: many capitalised words after the first, over a third of the words.
 */
function namesCrowd(text: string): number {
  const words = text.split(/\s+/).slice(1);
  const capitalised = words.filter((w) => /^[“"(‘]?\p{Lu}/u.test(w)).length;
  return capitalised >= 7 && capitalised / Math.max(1, words.length) > 0.33 ? capitalised : 0;
}

const CLOSING = '"”»’)';

function lastBeforeClosing(text: string): string {
  let end = text.length;
  while (end > 0 && CLOSING.includes(text[end - 1]!)) end--;
  return end > 0 ? text[end - 1]! : '';
}
