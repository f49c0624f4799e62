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
   * `with-attribution`: it holds a quotation and the words that say who spoke; `partial`: it reports
   * someone's words with a few of them quoted ("called the plan “a waste,” according to …");
   * `none` otherwise.
   */
  readonly quotation?: 'quoted-words' | 'with-attribution' | 'partial' | 'none';
  /** Whom the post credits for the quoted words, when known. */
  readonly speaker?: string | undefined;
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
  /\b(will (air|stream|be (streamed|broadcast|televised|available|held|livestreamed))|live\s?stream|watch (it )?live|broadcast live|register (at|by|online|here)|rsvp|tickets? (are|go|will go) on sale|media (accreditation|availability)|for more information|more information (is|will be) available|is available (at|on) \S+\.\S+|can be found (at|on)|news conference (will|is scheduled)|will be open (from|until|on|daily)|open from \d|briefing (will|is scheduled)|doors open at)\b/i;

/** What a photo caption says ("… are seen inside the spacecraft", "pictured left"). */
const CAPTION =
  /\b(is|are|was|were) (seen|pictured|shown|photographed)\b|\bpictured\b|\((left|right|center|centre)\)|\bfrom left\b|\bleft to right\b/i;

export const SCORE_BASE = 50;

/** The most room a quote is measured against: longer excerpts stop being quotes (Telegram allows 4096). */
const QUOTE_ROOM = 280;

/**
 * What the rules read from a text, found once per sentence: a candidate of several sentences
 * combines its sentences' features (`joinFeatures`) instead of scanning its whole text again, which
 * is what keeps quotes mode linear and cheap on a long article.
 */
export interface TextFeatures {
  /** The first word, lower case, without opening marks. */
  readonly firstWord: string;
  /** The opening clause (up to the first , ; : or dash) has a pronoun and no name before it. */
  readonly danglingOpening: boolean;
  readonly startsCapital: boolean;
  readonly startsParenthesis: boolean;
  /** The last character before any closing marks. */
  readonly last: string;
  readonly endsParenthesis: boolean;
  readonly quotation: boolean;
  readonly pronounAttribution: boolean;
  readonly logistics: boolean;
  readonly caption: boolean;
  readonly figure: boolean;
  readonly words: number;
  /** Capitalised words after the first word. */
  readonly capitalised: number;
  readonly firstCapitalised: boolean;
}

export function textFeatures(raw: string): TextFeatures {
  const text = raw.trim();
  const clauseEnd = text.search(/[,;:—–]/);
  const { words, capitalised, firstCapitalised } = countCapitalised(text);
  return {
    firstWord: /^[“"«„(‘']*([\p{L}’']+)/u.exec(text)?.[1]?.toLowerCase() ?? '',
    danglingOpening: dangling(clauseEnd === -1 ? text : text.slice(0, clauseEnd)),
    startsCapital: /^[“"«„(‘']*\p{Lu}/u.test(text),
    startsParenthesis: text.startsWith('('),
    last: lastBeforeClosing(text),
    endsParenthesis: text.endsWith(')'),
    quotation: QUOTATION.test(text),
    pronounAttribution: PRONOUN_ATTRIBUTION.test(text),
    logistics: LOGISTICS.test(text),
    caption: CAPTION.test(text),
    figure: /\d/.test(text),
    words,
    capitalised,
    firstCapitalised,
  };
}

/** The features of `a` followed by `b` (joined by a space). */
export function joinFeatures(a: TextFeatures, b: TextFeatures): TextFeatures {
  return {
    firstWord: a.firstWord,
    danglingOpening: a.danglingOpening,
    startsCapital: a.startsCapital,
    startsParenthesis: a.startsParenthesis,
    last: b.last,
    endsParenthesis: b.endsParenthesis,
    quotation: a.quotation || b.quotation,
    pronounAttribution: a.pronounAttribution || b.pronounAttribution,
    logistics: a.logistics || b.logistics,
    caption: a.caption || b.caption,
    figure: a.figure || b.figure,
    words: a.words + b.words,
    capitalised: a.capitalised + b.capitalised + (b.firstCapitalised ? 1 : 0),
    firstCapitalised: a.firstCapitalised,
  };
}

/**
 * Scores an excerpt. `explain: false` skips writing the reasons (a long article has hundreds of
 * thousands of candidates and only the shown ones need them); the score is the same. `features`
 * may be given when already known (see `joinFeatures`); otherwise they are read from the text.
 */
export function scoreExcerpt(facts: ExcerptFacts, explain = true, features?: TextFeatures): ExcerptScore {
  const reasons: string[] = [];
  const score = rate(facts, features ?? textFeatures(facts.text), explain ? reasons : undefined);
  return { score, reasons };
}

/** The score alone, from known features: what ranking needs, without writing any reason. */
export function excerptScore(facts: ExcerptFacts, features: TextFeatures): number {
  return rate(facts, features, undefined);
}

function rate(facts: ExcerptFacts, f: TextFeatures, reasons: string[] | undefined): number {
  let score = SCORE_BASE;
  const add = (points: number, why: string) => {
    score += points;
    reasons?.push(`${points > 0 ? '+' : ''}${points} ${why}`);
  };
  const quotedWords = facts.quotation === 'quoted-words';
  const quoted = quotedWords || f.quotation;
  // The speaker's own words with the name under them read best; the same words inside the
  // sentence that introduces them a little less; reported speech with a few quoted words less still.
  if (quotedWords && facts.speaker) add(20, `a direct quotation of ${facts.speaker}`);
  else if (facts.quotation === 'with-attribution' && facts.speaker)
    add(15, `a direct quotation of ${facts.speaker}, with its attribution`);
  else if (facts.quotation === 'partial' && facts.speaker) add(5, `reports ${facts.speaker}'s words`);
  else if (quotedWords || facts.quotation === 'with-attribution')
    add(-5, 'a quotation whose speaker is not known');
  else if (quoted) add(5, 'contains a quotation');
  if (!facts.speaker && f.pronounAttribution) add(-15, 'attributed to a pronoun with no name');

  if (!facts.fragment && f.startsCapital && f.last !== '' && '.!?…'.includes(f.last))
    add(10, 'complete sentence(s)');
  if (LEANING_OPENERS.has(f.firstWord) && !(quotedWords && QUOTED_OPENERS_OK.has(f.firstWord)))
    add(-25, `opens with "${f.firstWord}", which leans on what came before`);
  else if (
    // Inside a quotation, "we" and "they" are the speaker's own voice, not a dangling reference.
    !quotedWords &&
    f.danglingOpening
  ) {
    add(-15, 'a pronoun with no name before it');
  }
  if (f.logistics) add(-30, 'logistics (when and where), not news');
  if (f.caption) add(-30, 'reads like a photo caption');
  // A lede that lists people and organisations: many capitalised words, over a third of the words.
  if (f.capitalised >= 7 && f.capitalised / Math.max(1, f.words - 1) > 0.33)
    add(-25, `crowded with names (${f.capitalised} capitalised words)`);
  if (f.last === ':') add(-20, 'ends with a colon (introduces what follows)');
  if (f.startsParenthesis && f.endsParenthesis) add(-10, 'entirely in parentheses');
  if (facts.fragment) add(-40, 'part of a sentence too long for one post');
  if (f.figure) add(5, 'has a concrete figure');
  if (f.last === '?' && facts.sentences === 1) add(-5, 'a lone question');

  // A quote is quote-sized whatever the platform allows: the room is counted up to a tweet's 280.
  const room = Math.min(facts.budget, QUOTE_ROOM);
  const ratio = room > 0 ? facts.length / room : 0;
  if (ratio >= 0.35 && ratio <= 0.95) add(10, 'comfortable length');
  else if (ratio < 0.2) add(-15, 'too short to stand alone');
  if (facts.sentences > 1) add(-5 * (facts.sentences - 1), 'joins several sentences');
  return score;
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

/** A pronoun (outside quoted words) in an opening clause that names nobody before it. */
function dangling(opening: string): boolean {
  return (
    DANGLING_PRONOUNS.test(opening) &&
    DANGLING_PRONOUNS.test(outsideQuotes(opening)) &&
    !/\p{Lu}\p{Ll}+\s+\p{Lu}\p{Ll}+/u.test(opening)
  );
}

/** Words, and capitalised words after the first, in one pass over the characters. */
function countCapitalised(text: string): { words: number; capitalised: number; firstCapitalised: boolean } {
  // By character code: this runs on every sentence of a long article.
  let words = 0;
  let capitalised = 0;
  let firstCapitalised = false;
  let atWordStart = true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 32 || code === 10) {
      atWordStart = true;
      continue;
    }
    if (!atWordStart) continue;
    if (code === 0x201c || code === 0x22 || code === 0x28 || code === 0x2018) continue; // “ " ( ‘
    atWordStart = false;
    words++;
    const upper = code < 128 ? code >= 65 && code <= 90 : isUpper(text[i]!);
    if (words === 1) firstCapitalised = upper;
    else if (upper) capitalised++;
  }
  return { words, capitalised, firstCapitalised };
}

function isUpper(ch: string): boolean {
  return ch !== ch.toLowerCase() && ch === ch.toUpperCase();
}

const CLOSING = '"”»’)';

function lastBeforeClosing(text: string): string {
  let end = text.length;
  while (end > 0 && CLOSING.includes(text[end - 1]!)) end--;
  return end > 0 ? text[end - 1]! : '';
}
