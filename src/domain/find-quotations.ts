/**
 * Direct quotations and who said them. A newsroom article quotes people; a post that carries their
 * words must name them, never the article's author (DESIGN.md, "Words and attribution"). This is a
 * rule-based reader of the forms news copy uses, built to be predictable and to say "unknown" rather
 * than guess:
 * - marks: curly “…”, straight "…", guillemets «…» and low-high „…“; a quotation may run over
 *   paragraphs (the paragraph ends open and the next one opens again) and may be interrupted by its
 *   attribution (“We will rebuild,” said Diane Okafor, “and we will do it this year.”);
 * - a *direct* quotation starts with a capital (or a digit) and has three words or more; shorter or
 *   lower-case quoted words (“concessions”, called it “very useful.”) are partial quotations inside
 *   the author's own sentence, and stay the author's;
 * - the speaker comes from the attribution next to the quotation: "said X", "X said", "X told …",
 *   "X added", "according to X", "X said: “…”"; titles written in capitals are kept ("NASA
 *   Administrator Bill Nelson"), lower-case job descriptions are not ("council president Diane
 *   Okafor" is Diane Okafor); a surname alone ("Okafor said") is completed from an earlier full
 *   mention; "the President said" is resolved to the one earlier person with that title;
 *   "he/she said" to the speaker of the quotation just before, or to the only person named in this
 *   paragraph and the one before, and left unknown when two people could be meant;
 * - a direct quotation with no attribution of its own continues the one just before it in the same
 *   paragraph, or in the paragraph before when it opens its paragraph (news copy names a speaker
 *   once and then quotes on).
 */

export interface TextRange {
  readonly paragraph: number;
  /** Offsets into the paragraph string, end exclusive. */
  readonly start: number;
  readonly end: number;
}

export interface Quotation {
  /** The quoted words, marks excluded: several for an interrupted or multi-paragraph quotation. */
  readonly spans: readonly TextRange[];
  /** The quotation with its marks, from the opening mark of the first span to the closing mark of the last. */
  readonly marked: readonly TextRange[];
  /** The clause that names the speaker ("said council president Diane Okafor"), when there is one. */
  readonly attribution?: TextRange;
  /** The speaker as a post should name them; undefined when not known. */
  readonly speaker?: string;
  /** The opening and closing marks the article uses for it. */
  readonly marks: readonly [string, string];
  /**
   * A partial quotation: a few quoted words inside someone else's sentence ("called the plan “a
   * waste of money,” according to …"). It is still that speaker's words, so the sentence is not the
   * author's; but it is never offered on its own.
   */
  readonly partial?: boolean;
  /** Quotations of one speaker in a row (one continues the last) share a group number. */
  readonly group: number;
}

interface Segment {
  readonly paragraph: number;
  readonly open: number;
  /** Index of the closing mark, or the paragraph's length when it ends open. */
  readonly close: number;
  readonly closed: boolean;
  readonly marks: readonly [string, string];
}

const PAIRS: Record<string, string> = { '“': '”', '«': '»', '„': '“', '"': '"' };

/** Quoted segments of each paragraph, in order; unclosed ones run to the paragraph end. */
function findSegments(paragraphs: readonly string[]): Segment[] {
  const segments: Segment[] = [];
  const opening = /[“«„"]/g;
  paragraphs.forEach((text, paragraph) => {
    opening.lastIndex = 0;
    for (let match = opening.exec(text); match !== null; match = opening.exec(text)) {
      const i = match.index;
      const ch = text[i]!;
      const close = PAIRS[ch]!;
      // A straight quote opens only at the start of a word.
      if ((ch === '"' && i > 0 && !/[\s([—–-]/u.test(text[i - 1]!)) || i + 1 >= text.length) continue;
      let found = -1;
      for (let j = i + 1; j < text.length; j++) {
        const c = text[j]!;
        if (c === close || (ch === '“' && c === '"') || (ch === '„' && c === '”')) {
          found = j;
          break;
        }
      }
      segments.push({
        paragraph,
        open: i,
        close: found === -1 ? text.length : found,
        closed: found !== -1,
        marks: [ch, close],
      });
      opening.lastIndex = found === -1 ? text.length : found + 1;
    }
  });
  return segments;
}

const inner = (paragraphs: readonly string[], s: Segment) =>
  paragraphs[s.paragraph]!.slice(s.open + 1, s.close);

/** A direct quotation: starts with a capital or digit and has three words or more. */
function isDirect(text: string): boolean {
  const trimmed = text.trim();
  return /^[\p{Lu}\p{N}]/u.test(trimmed) && /\S\s+\S+\s+\S/u.test(trimmed);
}

const VERBS =
  'said|says|told|tells|added|adds|asked|asks|explained|explains|stated|states|noted|notes|wrote|writes|continued|' +
  'recalled|warned|warns|insisted|insists|argued|argues|declared|tweeted|posted|announced|acknowledged|' +
  'replied|responded|concluded|observed|remarked|conceded|cautioned|emphasized|emphasised|stressed|' +
  'promised|vowed|predicted|admitted|agreed|countered|joked|quipped|recounted|urged|answered|shouted|whispered';
const VERB = `(?:${VERBS})`;
const VERB_WORD = new RegExp(`\\b${VERB}\\b`, 'u');

/** Lower-case words that describe a job and precede a name ("council president Diane Okafor"). */
const ROLE_WORD =
  '(?:the|a|an|former|acting|interim|deputy|vice|assistant|associate|senior|chief|executive|council|city|state|' +
  'county|federal|district|police|fire|school|board|agency|department|press|campaign|party|union|team|' +
  'club|company|hospital|museum|library|port|transit|health|education|finance|foreign|interior|defense|' +
  'defence|trade|justice|labor|labour|energy|environment|president|director|manager|spokesperson|' +
  'spokeswoman|spokesman|secretary|minister|mayor|governor|senator|commissioner|chair|chairman|' +
  'chairwoman|officer|head|leader|member|professor|analyst|resident|lawyer|attorney|economist|' +
  'researcher|scientist|engineer|administrator|superintendent|coach|captain|sergeant|lieutenant|' +
  'detective|inspector|judge|owner|founder|organizer|organiser|teacher|principal|student|nurse|doctor|' +
  'official|officials|representative|councilmember|councillor|alderman|treasurer|clerk|auditor|' +
  'coordinator|supervisor|worker|volunteer|historian|curator|of|for|and)';

/** A capitalised name token: "Okafor", "Kassym-Jomart", "O’Neill", "McDonald", an initial "F.". */
const CAP = "(?:\\p{Lu}\\.|(?:Dr|Gen|Sen|Rep|Gov|Lt|Col|Capt|Sgt|St)\\.|\\p{Lu}[\\p{L}'’-]*)";
/** A name phrase: capitalised tokens, possibly joined by "of/for/the/and" (titles of offices). */
const NAME = `${CAP}(?:\\s+(?:(?:of|for|the|de|van|von|da|del|al|bin|le|la)\\s+)?${CAP}){0,7}`;
const PRONOUN = '(?:he|she|they|He|She|They)';
const TITLE_REF =
  '(?:the|The)\\s+(?:\\p{Ll}+\\s+){0,2}?(?!(?:has|had|have|is|was|were|will|would|also)\\b)(\\p{L}+)';

/** Speaker phrase after "said": a name (with lower-case role words before it), a pronoun, "the mayor". */
const SPEAKER_PHRASE = `(?:(?:${ROLE_WORD}\\s+){0,5}(${NAME})|(${PRONOUN})|${TITLE_REF})`;

// After the closing mark: `,” said X`, `,” X said`, `,” according to X`.
const AFTER_SAID_X = new RegExp(`^\\s*[,—–-]?\\s*${VERB}\\s+${SPEAKER_PHRASE}`, 'u');
const AFTER_X_SAID = new RegExp(
  `^\\s*[,—–-]?\\s*(?:(?:${ROLE_WORD}\\s+){0,5}(${NAME})|(${PRONOUN})|${TITLE_REF})\\s+(?:also\\s+|later\\s+|then\\s+)?${VERB}\\b`,
  'u',
);
// `,” according to a March memo by Budget Director Samuel Okonjo`: the author of the document.
const AFTER_ACCORDING_BY = new RegExp(
  `^\\s*[,—–-]?\\s*according\\s+to\\s+(?:a|an|the)\\s+[^,.“”"]{0,40}?\\bby\\s+${SPEAKER_PHRASE}`,
  'u',
);
// `,” said the project's chief engineer, Dr. Ilse Varga,`: a description, then the name.
const AFTER_SAID_ROLE_NAME = new RegExp(
  `^\\s*[,—–-]?\\s*${VERB}\\s+(?:the|a|an|its|their|his|her)\\s+[^,.“”"«»]{1,60},\\s+(${NAME})`,
  'u',
);
const AFTER_ACCORDING = new RegExp(`^\\s*[,—–-]?\\s*according\\s+to\\s+${SPEAKER_PHRASE}`, 'u');
// Before the opening mark: `X said: “`, `X told reporters on Monday, “`, `According to X, “`.
const BEFORE_X_SAID = new RegExp(
  `(?:^|[.!?]\\s+|,\\s+|\\s)(?:(?:${ROLE_WORD}\\s+){0,5}(${NAME})|(${PRONOUN})|${TITLE_REF})\\s+(?:also\\s+|later\\s+|then\\s+)?${VERB}(?:\\s+[\\p{L}\\d.,’'-]+){0,6}?\\s*[:,]\\s*$`,
  'u',
);
const BEFORE_ACCORDING = new RegExp(
  `(?:^|[.!?]\\s+|\\s)[Aa]ccording\\s+to\\s+${SPEAKER_PHRASE}\\s*,\\s*$`,
  'u',
);

interface Attribution {
  readonly range: TextRange;
  readonly name?: string;
  readonly pronoun?: string;
  readonly title?: string;
}

function readAttribution(
  match: RegExpExecArray | null,
  paragraph: number,
  offset: number,
): Attribution | undefined {
  if (!match) return undefined;
  const start = offset + match.index + (match[0].length - match[0].trimStart().length);
  const range = { paragraph, start, end: offset + match.index + match[0].length };
  const [, name, pronoun, title] = match;
  // A capitalised "He" matches the name pattern too.
  if (name && /^(he|she|they)$/i.test(name)) return { range, pronoun: name.toLowerCase() };
  if (name) return { range, name };
  if (pronoun) return { range, pronoun: pronoun.toLowerCase() };
  if (title) return { range, title: title.toLowerCase() };
  return undefined;
}

/** The attribution right after a segment's closing mark, within its sentence. */
function attributionAfter(paragraphs: readonly string[], s: Segment): Attribution | undefined {
  if (!s.closed) return undefined;
  const text = paragraphs[s.paragraph]!;
  const from = s.close + 1;
  const rest = text.slice(from, from + 200);
  // “….” followed by a new sentence: only a short "She said." closes it ("The board has asked the
  // state to …" is the next piece of news, not an attribution).
  const endsSentence = /[.!?…]$/u.test(text.slice(s.open + 1, s.close).trimEnd());
  for (const pattern of [
    AFTER_SAID_ROLE_NAME,
    AFTER_SAID_X,
    AFTER_X_SAID,
    AFTER_ACCORDING_BY,
    AFTER_ACCORDING,
  ]) {
    const match = pattern.exec(rest);
    const found = readAttribution(match, s.paragraph, from);
    if (!found) continue;
    if (
      endsSentence &&
      !/^[^.!?“"«]{0,40}[.!?]/u.test(rest.slice((match?.index ?? 0) + (match?.[0].length ?? 0)))
    )
      continue;
    return trimAppositive(text, found);
  }
  return undefined;
}

/** The attribution just before a segment's opening mark ("Okafor said: “…”"). */
function attributionBefore(paragraphs: readonly string[], s: Segment): Attribution | undefined {
  const text = paragraphs[s.paragraph]!;
  const from = Math.max(0, s.open - 200);
  const before = text.slice(from, s.open);
  // Both forms end in a colon or comma right before the mark ("Okafor said: “"): most quotations
  // do not, and the patterns are costly to try at every position.
  const end = before.trimEnd();
  if (!end.endsWith(':') && !end.endsWith(',')) return undefined;
  for (const pattern of [BEFORE_X_SAID, BEFORE_ACCORDING]) {
    const found = readAttribution(pattern.exec(before), s.paragraph, from);
    if (found) {
      // The clause starts at the name, not at the separator the pattern needed before it.
      const clause = text.slice(found.range.start, found.range.end);
      const lead = /^(?:[.!?,]\s+|\s)/u.exec(clause)?.[0].length ?? 0;
      return { ...found, range: { ...found.range, start: found.range.start + lead } };
    }
  }
  return undefined;
}

/** "said Sergei Markov, the head of …": the clause runs to the end of the appositive, the name stays. */
function trimAppositive(text: string, found: Attribution): Attribution {
  const after = text.slice(found.range.end);
  const appositive = /^,\s+(?:the|a|an|who|which)\b[^“"«„.!?]*(?=[.!?,;]|$)/u.exec(after);
  const sentenceEnd = /^[^“"«„]*?[.!?](?=\s+[\p{Lu}“"«]|\s*$)/u.exec(after);
  const extra =
    appositive?.[0].length ?? (sentenceEnd && sentenceEnd[0].length < 60 ? sentenceEnd[0].length : 0);
  return { ...found, range: { ...found.range, end: found.range.end + Math.max(0, extra) } };
}

// ---- people named in the article -----------------------------------------------------------------

/** Capitalised words that open sentences or name times and peoples: never part of a personal name. */
const NOT_NAME = new Set(
  (
    'the a an in on at for but and or this that these those it its he she they we i you yes no if when while as ' +
    'after before now here there meanwhile however officially very by from to with without of our my your his her ' +
    'their what why how who where many some most all one two three first last next new old more such also then ' +
    'so yet still during since until about under over between among against into through across per could ' +
    'would should will can may might must did does do is are was were has have had let according ' +
    'monday tuesday wednesday thursday friday saturday sunday january february march april june july ' +
    'august september october november december jan feb mar apr jun jul aug sep sept oct nov dec ' +
    'american european russian english french german chinese spanish british national international global'
  ).split(' '),
);

/** Words that end the names of organisations and places ("Human Rights Watch", "Harbour Authority"). */
const NOT_PERSON = new Set(
  (
    'organization organisation institute ministry department office agency authority council committee ' +
    'commission university college school watch times news post gazette herald tribune journal union nations ' +
    'states kingdom republic federation bank company corp inc ltd group association society center centre ' +
    'party court senate house congress parliament police service services foundation fund museum library ' +
    'hospital street avenue road park city county river lake bridge hall church station airport port ' +
    'harbour harbor square market festival day week month year east west north south europe asia africa ' +
    'america world government administration project program programme plan act law treaty mission ' +
    'island islands coast valley mountain mountains credit credits photo headquarters'
  ).split(' '),
);

const TITLES = new Set(
  (
    'president vice prime minister secretary director administrator mayor governor senator sen rep ' +
    'representative commissioner chief chairman chair chairwoman councilmember councillor councilwoman ' +
    'councilman judge justice dr prof professor general gen colonel col captain capt officer sheriff ' +
    'deputy spokesperson spokesman spokeswoman ceo chancellor ambassador inspector superintendent pope ' +
    'king queen prince princess lord lady sir dame rev reverend bishop archbishop sergeant sgt lieutenant ' +
    'lt commander cmdr admiral adm attorney treasurer auditor clerk alderman speaker premier emir sheikh ' +
    'minister-president head leader founder chairperson manager editor coach master conservator ' +
    'principal engineer commissioner curator supervisor trustee'
  ).split(' '),
);

interface Person {
  /** How a post names them: capitalised titles kept ("NASA Administrator Bill Nelson"). */
  readonly display: string;
  /** The personal name without titles ("Bill Nelson"). */
  readonly name: string;
  /** Lower-case title words that preceded the name ("administrator"). */
  readonly titles: readonly string[];
  /** The last word of the name ("Nelson"): how the article refers back to them. */
  readonly surname: string;
}

/** People named so far, looked up by surname and by title (a long article is not rescanned). */
interface Known {
  withSurname(surname: string): readonly Person[];
  withTitle(title: string): readonly Person[];
}

class PeopleIndex implements Known {
  // One entry per person (by name), the fullest way the article named them: a long article names
  // the same people again and again, and lookups must stay small.
  private readonly surnames = new Map<string, Map<string, Person>>();
  private readonly titles = new Map<string, Map<string, Person>>();
  add(person: Person): void {
    keep(this.surnames, person.surname, person);
    for (const title of person.titles) keep(this.titles, title, person);
  }
  withSurname(surname: string): readonly Person[] {
    return [...(this.surnames.get(surname)?.values() ?? [])];
  }
  withTitle(title: string): readonly Person[] {
    return [...(this.titles.get(title)?.values() ?? [])];
  }
}

function keep(map: Map<string, Map<string, Person>>, key: string, person: Person): void {
  let people = map.get(key);
  if (!people) {
    people = new Map();
    map.set(key, people);
  }
  const prior = people.get(person.name);
  if (!prior || person.display.length > prior.display.length) people.set(person.name, person);
}

/** The people of `a` and `b` together. */
function both(a: Known, b: Known): Known {
  return {
    withSurname: (s) => [...a.withSurname(s), ...b.withSurname(s)],
    withTitle: (t) => [...a.withTitle(t), ...b.withTitle(t)],
  };
}

function indexOf(people: readonly Person[]): PeopleIndex {
  const index = new PeopleIndex();
  for (const p of people) index.add(p);
  return index;
}

/** People named in a text: at least two name tokens after any title words, or a title and a surname. */
export function findPeople(text: string): Person[] {
  return findMentions(text).map((m) => m.person);
}

interface Mention {
  readonly person: Person;
  /** Where the mention starts in the text. */
  readonly at: number;
}

function findMentions(text: string): Mention[] {
  const mentions: Mention[] = [];
  for (const run of capitalisedRuns(text)) {
    const person = toPerson(text.slice(run.start, run.end));
    if (person) mentions.push({ person, at: run.start });
  }
  return mentions;
}

const INITIAL_OR_TITLE = /^(?:\p{Lu}\.|Dr\.|Gen\.|Sen\.|Rep\.|Gov\.|Lt\.|Col\.|Capt\.|Sgt\.|St\.)$/u;
/** A character of a name: a letter, an apostrophe or a hyphen (checked by code, in the hot loop). */
function nameChar(code: number): boolean {
  if (
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 39 ||
    code === 45 ||
    code === 0x2019
  )
    return true;
  if (code < 128) return false;
  const ch = String.fromCharCode(code);
  return ch.toLowerCase() !== ch.toUpperCase() || /\p{L}/u.test(ch);
}

/** Words that may join the capitalised words of one name or office ("Director of the Port"). */
const NAME_JOINERS = new Set(['of', 'for', 'the', 'de', 'van', 'von', 'da', 'del', 'al', 'bin', 'le', 'la']);

/**
 * Runs of two or more capitalised words (joined by the words above), as the NAME pattern would
 * find them, in one pass over the words: the regular expression was most of the cost of reading
 * a long article. A word ending in punctuation other than an initial's or a possessive ends a run.
 */
function capitalisedRuns(text: string): { start: number; end: number }[] {
  const runs: { start: number; end: number }[] = [];
  let runStart = -1;
  let runEnd = -1;
  let words = 0;
  let pendingJoiners = 0;
  const close = () => {
    if (words >= 2) runs.push({ start: runStart, end: runEnd });
    runStart = -1;
    words = 0;
    pendingJoiners = 0;
  };
  let i = 0;
  while (i < text.length) {
    while (i < text.length && text.charCodeAt(i) === 32) i++;
    const start = i;
    while (i < text.length && text.charCodeAt(i) !== 32) i++;
    if (start === i) break;
    const code = text.charCodeAt(start);
    // Most words are lower case: decided on the first character, without slicing the word.
    const lower = (code >= 97 && code <= 122) || (code < 65 && code !== 0x201c && code !== 0x22);
    if (lower || (code > 90 && code < 128)) {
      if (
        runStart !== -1 &&
        pendingJoiners === 0 &&
        i - start <= 3 &&
        NAME_JOINERS.has(text.slice(start, i))
      ) {
        pendingJoiners = 1;
        continue;
      }
      if (runStart !== -1) close();
      continue;
    }
    if (code >= 128) {
      const first = text[start]!;
      if (!(first !== first.toLowerCase() && first === first.toUpperCase())) {
        if (runStart !== -1) close();
        continue;
      }
    }
    if (code === 0x201c || code === 0x22) {
      if (runStart !== -1) close();
      continue;
    }
    // The word without trailing punctuation; "F." and "Dr." keep their period.
    let end = i;
    while (end > start && !nameChar(text.charCodeAt(end - 1))) end--;
    if (end < i && text.charCodeAt(end) === 46 && INITIAL_OR_TITLE.test(text.slice(start, end + 1))) end++;
    let clean = end > start;
    for (let k = start; clean && k < end; k++)
      clean = nameChar(text.charCodeAt(k)) || text.charCodeAt(k) === 46;
    if (!clean) {
      if (runStart !== -1) close();
      continue;
    }
    if (runStart === -1) runStart = start;
    words++;
    pendingJoiners = 0;
    runEnd = end;
    if (end < i) close(); // "Okafor," ends the name
  }
  close();
  return runs;
}

/** Words that may stand before a title as part of it ("Foreign Minister", "Port Authority Director"). */
const TITLE_MODIFIERS = new Set(
  (
    'foreign prime vice deputy acting interim former council city county state assistant associate ' +
    'executive senior chief port authority police fire health transit education finance defense defence ' +
    'interior trade energy space agency district federal national general attorney managing harbor ' +
    'harbour town village borough school museum library water parks public works'
  ).split(' '),
);

function toPerson(phrase: string): Person | undefined {
  const tokens = phrase.split(/\s+/);
  const firstTitle = tokens.findIndex((t) => TITLES.has(bare(t)));
  // Before the first title only acronyms ("NASA") and words of the title ("Foreign") belong to it;
  // "Could President Tokayev", "Kazakhstan’s President …" lose their first word.
  let from = 0;
  if (firstTitle > 0) {
    from = firstTitle;
    // "Calloway County Fire Chief", "Budget Director", "NASA Administrator": capitalised words
    // before a title belong to it, up to three, unless they open a sentence ("Could President …")
    // or are a possessive ("Kazakhstan’s President …").
    while (
      from > 0 &&
      firstTitle - from < 3 &&
      !/[’']s$/u.test(tokens[from - 1]!) &&
      !NOT_NAME.has(bare(tokens[from - 1]!))
    )
      from--;
  } else if (firstTitle === -1) {
    while (from < tokens.length && NOT_NAME.has(bare(tokens[from]!))) from++;
  }
  const kept = tokens.slice(from);
  let lastTitle = -1;
  kept.forEach((t, i) => {
    if (TITLES.has(bare(t))) lastTitle = i;
  });
  const nameTokens = kept.slice(lastTitle + 1);
  const titleTokens = kept.slice(0, lastTitle + 1);
  if (nameTokens.length === 0 || nameTokens.length > 4) return undefined;
  if (nameTokens.some((t) => NOT_NAME.has(bare(t)))) return undefined;
  if (NOT_PERSON.has(bare(nameTokens.at(-1)!))) return undefined;
  if (nameTokens.some((t) => /^\p{Lu}{2,}$/u.test(t))) return undefined; // "CSTO", "HRW"
  if (titleTokens.length === 0 && nameTokens.length < 2) return undefined;
  // A long chain of offices ("Director of the OSCE Office for …") is shortened to its last title.
  const shownTitles = titleTokens.length > 4 ? titleTokens.slice(-1) : titleTokens;
  const name = nameTokens.join(' ').replace(/[’']s$/u, '');
  return {
    display: [...shownTitles, name].join(' '),
    name,
    titles: titleTokens.map(bare).filter((t) => TITLES.has(t)),
    surname: nameTokens.at(-1)!.replace(/[’']s$/u, ''),
  };
}

/** A token as the word lists hold it: lower case, without a trailing period, comma or possessive. */
function bare(token: string): string {
  let word = token.toLowerCase();
  const last = word.charCodeAt(word.length - 1);
  if (last === 46 || last === 44) word = word.slice(0, -1); // . ,
  if (word.endsWith("'s") || word.endsWith('’s')) word = word.slice(0, -2);
  return word;
}

/** Resolves a name as written in an attribution against the people named so far. */
function completeName(written: string, known: Known): string | undefined {
  const tokens = written.split(/\s+/);
  // Only titles ("President"): the one person named earlier with that title.
  if (tokens.every((t) => TITLES.has(bare(t)) || TITLE_MODIFIERS.has(bare(t)))) {
    return byTitle(bare(tokens.at(-1)!), known);
  }
  const person =
    toPerson(written) ??
    organisation(written) ??
    (tokens.length === 1 && !NOT_NAME.has(bare(written))
      ? { display: written, name: written, titles: [], surname: written }
      : undefined);
  if (!person) return undefined;
  // Everyone named earlier with that surname; full names must agree ("Ana Ruiz" and "Carlos Ruiz"
  // make "Ruiz said" unknown).
  const same = known.withSurname(person.surname);
  const fullNames = new Set(same.filter((p) => p.name.includes(' ')).map((p) => p.name));
  if (person.name.includes(' ')) fullNames.add(person.name);
  if (fullNames.size > 1) return person.name.includes(' ') ? person.display : undefined;
  const all = [...same, person].filter(
    (p) => fullNames.size === 0 || fullNames.has(p.name) || !p.name.includes(' '),
  );
  // The fullest way the article names them: full name, with the titles it gave them.
  const full = [...fullNames][0];
  const best = all
    .filter((p) => full === undefined || p.name === full)
    .sort((a, b) => b.display.length - a.display.length)[0];
  return best?.display ?? person.display;
}

/** "the Kestrel Bay Dockworkers Union said": an organisation speaks under its full name. */
function organisation(written: string): Person | undefined {
  const tokens = written.split(/\s+/);
  if (tokens.length < 2 || NOT_NAME.has(bare(tokens[0]!)) || !NOT_PERSON.has(bare(tokens.at(-1)!)))
    return undefined;
  return { display: written, name: written, titles: [], surname: written };
}

function byTitle(title: string, known: Known): string | undefined {
  const withTitle = unique(known.withTitle(title));
  // "President Tokayev" and "President Kassym-Jomart Tokayev" are one person.
  const names = new Set(withTitle.map((p) => p.surname));
  if (names.size !== 1) return undefined;
  return withTitle.sort((a, b) => b.display.length - a.display.length)[0]!.display;
}

function unique(people: readonly Person[]): Person[] {
  const seen = new Map<string, Person>();
  for (const p of people) {
    const prior = seen.get(p.name);
    if (!prior || p.display.length > prior.display.length) seen.set(p.name, p);
  }
  return [...seen.values()];
}

// ---- putting it together -----------------------------------------------------------------------

export function findQuotations(paragraphs: readonly string[]): Quotation[] {
  const segments = findSegments(paragraphs);
  const quotations: Quotation[] = [];
  // People named before the quotation, for surnames and titles. Paragraphs are added as the scan
  // passes them, so a long article is read once (not once per quotation).
  const mentionsOf = memoMentions(paragraphs);
  const before = new PeopleIndex();
  let added = 0;
  const knownUpTo = (paragraph: number, offset: number): Known => {
    for (; added < paragraph; added++) for (const m of mentionsOf(added)) before.add(m.person);
    return both(
      before,
      indexOf(
        mentionsOf(paragraph)
          .filter((m) => m.at < offset)
          .map((m) => m.person),
      ),
    );
  };

  let previous: Previous | undefined;
  for (let k = 0; k < segments.length; k++) {
    const first = segments[k]!;
    const words = inner(paragraphs, first).trim();
    if (!isDirect(words)) {
      // A partial quotation of two words or more; one quoted word is the author's emphasis.
      if (words.split(/\s+/).length < 2) continue;
      const attribution =
        attributionAfter(paragraphs, first) ??
        attributionBefore(paragraphs, first) ??
        attributionInSentence(paragraphs, first);
      const known = knownUpTo(first.paragraph, first.open);
      let speaker = resolveSpeaker(attribution, known, previous, first, paragraphs, mentionsOf);
      // "…said that he would not intervene “while …,” but added that it was “not unlimited.”"
      if (!attribution && previous && sameSentence(previous, first, paragraphs))
        speaker = previous.quotation.speaker;
      const quotation = quotationOf([first], attribution, speaker, {
        partial: true,
        group:
          !attribution && previous && sameSentence(previous, first, paragraphs)
            ? previous.quotation.group
            : quotations.length,
      });
      quotations.push(quotation);
      previous = { quotation, paragraph: first.paragraph, end: attribution?.range.end ?? first.close };
      continue;
    }
    // Gather the segments of one quotation: over paragraphs, and across an interrupting attribution.
    const group: Segment[] = [first];
    let attribution: Attribution | undefined;
    for (;;) {
      const last = group.at(-1)!;
      const next = segments[k + 1];
      if (!last.closed) {
        // Runs over the paragraph end: continues when the next paragraph opens with a mark.
        if (next && next.paragraph === last.paragraph + 1 && next.open === 0) {
          group.push(next);
          k++;
          continue;
        }
        break;
      }
      attribution ??= attributionAfter(paragraphs, last);
      // “…,” said X, “and …”: the next segment starts right after the attribution, after a comma.
      if (
        attribution &&
        next &&
        next.paragraph === last.paragraph &&
        next.open >= attribution.range.end &&
        /^\s*[,;:—–-]\s*$/u.test(paragraphs[last.paragraph]!.slice(attribution.range.end, next.open))
      ) {
        group.push(next);
        k++;
        continue;
      }
      break;
    }
    attribution ??= attributionBefore(paragraphs, first);
    const quotedText = group.map((s) => inner(paragraphs, s)).join(' ');
    const known = knownUpTo(first.paragraph, first.open);
    let speaker = resolveSpeaker(attribution, known, previous, first, paragraphs, mentionsOf);
    const continued =
      !attribution && previous && continuesPrevious(previous, first, paragraphs) ? previous : undefined;
    if (continued) speaker = continued.quotation.speaker;
    const quotation = quotationOf(group, attribution, speaker, {
      group: continued ? continued.quotation.group : quotations.length,
    });
    if (quotedText.trim()) quotations.push(quotation);
    const last = group.at(-1)!;
    previous = { quotation, paragraph: last.paragraph, end: attribution?.range.end ?? last.close };
  }
  return quotations;
}

/** A quotation from its marked segments, attribution and speaker. */
function quotationOf(
  segments: readonly Segment[],
  attribution: Attribution | undefined,
  speaker: string | undefined,
  more: { readonly group: number; readonly partial?: true },
): Quotation {
  return {
    spans: segments.map((s) => ({ paragraph: s.paragraph, start: s.open + 1, end: s.close })),
    marked: segments.map((s) => ({
      paragraph: s.paragraph,
      start: s.open,
      end: s.closed ? s.close + 1 : s.close,
    })),
    ...(attribution ? { attribution: attribution.range } : {}),
    ...(speaker ? { speaker } : {}),
    marks: segments[0]!.marks,
    ...more,
  };
}

interface Previous {
  readonly quotation: Quotation;
  readonly paragraph: number;
  /** Where the quotation (or its attribution) ends in its last paragraph. */
  readonly end: number;
}

/** An unattributed quotation that opens its paragraph, or follows in the same one, continues the last. */
function continuesPrevious(previous: Previous, segment: Segment, paragraphs: readonly string[]): boolean {
  if (previous.paragraph === segment.paragraph) {
    // Nobody else is named in between.
    const between = paragraphs[segment.paragraph]!.slice(previous.end, segment.open);
    return findPeople(between).length === 0 && !VERB_WORD.test(between);
  }
  return previous.paragraph === segment.paragraph - 1 && segment.open === 0;
}

/** No sentence ends between the previous quotation and this one. */
function sameSentence(previous: Previous, segment: Segment, paragraphs: readonly string[]): boolean {
  if (previous.paragraph !== segment.paragraph) return false;
  const between = paragraphs[segment.paragraph]!.slice(previous.end, segment.open);
  return !/[.!?]["”»]?\s+\p{Lu}/u.test(between);
}

/**
 * "Governor Elliot Crane said Monday that he would not intervene “while …”": the speaker of a
 * partial quotation is the subject of a speech verb earlier in its sentence.
 */
function attributionInSentence(paragraphs: readonly string[], s: Segment): Attribution | undefined {
  const text = paragraphs[s.paragraph]!;
  const from = sentenceStart(text, s.open);
  let found: Attribution | undefined;
  const sentence = text.slice(from, s.open);
  if (!VERB_WORD.test(sentence)) return undefined;
  for (const match of sentence.matchAll(SPEECH_SUBJECT)) found = readSubject(match, s.paragraph, from);
  return found;
}

function sentenceStart(text: string, at: number): number {
  let start = 0;
  for (const m of text.slice(0, at).matchAll(/[.!?]["”»]?\s+(?=["“«]?\p{Lu})/gu))
    start = (m.index ?? 0) + m[0].length;
  return start;
}

/**
 * The subject of a speech verb: "Walter Haines, who has run the bakery since 1987, said …",
 * "Finch said …", "the union said …". The appositive between commas is skipped.
 */
const SPEECH_SUBJECT = new RegExp(
  `(?:^|[\\s(])(?:(?:${ROLE_WORD}\\s+){0,5}(${NAME})|(${PRONOUN})|${TITLE_REF})(?:,[^,“”"«»]{1,160},)?\\s+(?:also\\s+|later\\s+|then\\s+|has\\s+|had\\s+)?${VERB}\\b`,
  'gu',
);

function readSubject(match: RegExpExecArray, paragraph: number, offset: number): Attribution | undefined {
  const lead = match[0].length - match[0].trimStart().length;
  const range = {
    paragraph,
    start: offset + match.index + lead,
    end: offset + match.index + match[0].length,
  };
  const [, name, pronoun, title] = match;
  // A capitalised "He" matches the name pattern too.
  if (name && /^(he|she|they)$/i.test(name)) return { range, pronoun: name.toLowerCase() };
  if (name) return { range, name };
  if (pronoun) return { range, pronoun: pronoun.toLowerCase() };
  if (title) return { range, title: title.toLowerCase() };
  return undefined;
}

/** Each paragraph's mentions of people, found once. */
function memoMentions(paragraphs: readonly string[]): (paragraph: number) => readonly Mention[] {
  const memo = new Map<number, Mention[]>();
  return (paragraph) => {
    let found = memo.get(paragraph);
    if (!found) {
      found = findMentions(paragraphs[paragraph] ?? '');
      memo.set(paragraph, found);
    }
    return found;
  };
}

type MentionsOf = (paragraph: number) => readonly Mention[];

function resolveSpeaker(
  attribution: Attribution | undefined,
  known: Known,
  previous: Previous | undefined,
  segment: Segment,
  paragraphs: readonly string[],
  mentionsOf: MentionsOf,
): string | undefined {
  if (!attribution) return undefined;
  // "said council president Diane Okafor": the NAME group holds the capitalised words only.
  if (attribution.name) return completeName(attribution.name, known);
  // "the President said": the one person named earlier with that title.
  if (attribution.title) return byTitle(attribution.title, known);
  return resolvePronoun(known, previous, segment, paragraphs, mentionsOf);
}

/**
 * "he/she/they said" is resolved only when one person can be meant:
 * 1. the subject of the last speech verb before it in the paragraph ("Haines, who …, said the
 *    grants …. “…,” he said.");
 * 2. else the one person named in the paragraph before the quotation (two or more: unknown);
 * 3. else, at the top of a paragraph, the speaker of the quotation just before, when nobody else
 *    was named in between, or else the one person the paragraph before named.
 */
function resolvePronoun(
  known: Known,
  previous: Previous | undefined,
  segment: Segment,
  paragraphs: readonly string[],
  mentionsOf: MentionsOf,
): string | undefined {
  const text = paragraphs[segment.paragraph]!;
  // The speech verb that introduces a quotation is close before it: a few sentences at most.
  const headStart = Math.max(0, segment.open - 600);
  const head = text.slice(headStart, segment.open);
  let subject: Attribution | undefined;
  for (const match of VERB_WORD.test(head) ? head.matchAll(SPEECH_SUBJECT) : []) {
    const found = readSubject(match, segment.paragraph, headStart);
    if (found?.name) subject = found;
  }
  if (subject?.name) {
    const name = completeName(subject.name, known);
    if (name) return name;
  }
  const named = mentioned(paragraphs, segment.paragraph, 0, segment.open, known, mentionsOf);
  if (named.length === 1) return named[0]!.display;
  if (named.length > 1) return undefined;
  if (previous?.quotation.speaker && previous.paragraph === segment.paragraph - 1) {
    const others = mentioned(
      paragraphs,
      previous.paragraph,
      previous.end,
      Number.POSITIVE_INFINITY,
      known,
      mentionsOf,
    ).filter((p) => !previous.quotation.speaker!.endsWith(p.name));
    return others.length === 0 ? previous.quotation.speaker : undefined;
  }
  // At the top of a paragraph: the one person the paragraph before named.
  const before = mentioned(paragraphs, segment.paragraph - 1, 0, Number.POSITIVE_INFINITY, known, mentionsOf);
  return before.length === 1 ? before[0]!.display : undefined;
}

/** The people a text names, by full name or by the surname of someone named earlier; one per person. */
function mentioned(
  paragraphs: readonly string[],
  paragraph: number,
  from: number,
  to: number,
  known: Known,
  mentionsOf: MentionsOf,
): Person[] {
  const text = (paragraphs[paragraph] ?? '').slice(from, to);
  const found = mentionsOf(paragraph)
    .filter((m) => m.at >= from && m.at < to)
    .map((m) => m.person);
  for (const word of new Set(text.match(/\p{Lu}[\p{L}’'-]+/gu) ?? [])) found.push(...known.withSurname(word));
  // One entry per surname, the fullest way the article named them.
  const bySurname = new Map<string, Person>();
  for (const p of found) {
    const prior = bySurname.get(p.surname);
    if (!prior || p.display.length > prior.display.length) bySurname.set(p.surname, p);
  }
  return [...bySurname.values()];
}
