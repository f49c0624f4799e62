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
  paragraphs.forEach((text, paragraph) => {
    let i = 0;
    while (i < text.length) {
      const ch = text[i]!;
      const close = PAIRS[ch];
      const opensHere =
        close !== undefined &&
        (ch !== '"' || i === 0 || /[\s([—–-]/u.test(text[i - 1]!)) &&
        i + 1 < text.length;
      if (!opensHere) {
        i++;
        continue;
      }
      let j = i + 1;
      let found = -1;
      while (j < text.length) {
        const c = text[j]!;
        if (c === close || (ch === '“' && c === '"') || (ch === '„' && c === '”')) {
          found = j;
          break;
        }
        j++;
      }
      segments.push({
        paragraph,
        open: i,
        close: found === -1 ? text.length : found,
        closed: found !== -1,
        marks: [ch, close],
      });
      i = found === -1 ? text.length : found + 1;
    }
  });
  return segments;
}

const inner = (paragraphs: readonly string[], s: Segment) =>
  paragraphs[s.paragraph]!.slice(s.open + 1, s.close);

/** A direct quotation: starts with a capital or digit and has three words or more. */
function isDirect(text: string): boolean {
  const trimmed = text.trim();
  return /^[\p{Lu}\p{N}]/u.test(trimmed) && trimmed.split(/\s+/).length >= 3;
}

const VERBS =
  'said|says|told|tells|added|adds|asked|asks|explained|explains|stated|states|noted|notes|wrote|writes|continued|' +
  'recalled|warned|warns|insisted|insists|argued|argues|declared|tweeted|posted|announced|acknowledged|' +
  'replied|responded|concluded|observed|remarked|conceded|cautioned|emphasized|emphasised|stressed|' +
  'promised|vowed|predicted|admitted|agreed|countered|joked|quipped|recounted|urged';
const VERB = `(?:${VERBS})`;

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
const TITLE_REF = '(?:the|The)\\s+(?:\\p{Ll}+\\s+){0,2}?(\\p{L}+)';

/** Speaker phrase after "said": a name (with lower-case role words before it), a pronoun, "the mayor". */
const SPEAKER_PHRASE = `(?:(?:${ROLE_WORD}\\s+){0,5}(${NAME})|(${PRONOUN})|${TITLE_REF})`;

// After the closing mark: `,” said X`, `,” X said`, `,” according to X`.
const AFTER_SAID_X = new RegExp(`^\\s*[,—–-]?\\s*${VERB}\\s+${SPEAKER_PHRASE}`, 'u');
const AFTER_X_SAID = new RegExp(
  `^\\s*[,—–-]?\\s*(?:(?:${ROLE_WORD}\\s+){0,5}(${NAME})|(${PRONOUN})|${TITLE_REF})\\s+(?:also\\s+|later\\s+|then\\s+)?${VERB}\\b`,
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
  for (const pattern of [AFTER_SAID_X, AFTER_X_SAID, AFTER_ACCORDING]) {
    const found = readAttribution(pattern.exec(rest), s.paragraph, from);
    if (found) return trimAppositive(text, found);
  }
  return undefined;
}

/** The attribution just before a segment's opening mark ("Okafor said: “…”"). */
function attributionBefore(paragraphs: readonly string[], s: Segment): Attribution | undefined {
  const text = paragraphs[s.paragraph]!;
  const from = Math.max(0, s.open - 200);
  const before = text.slice(from, s.open);
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
    'island islands coast valley mountain mountains'
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
    'minister-president head leader founder chairperson manager editor coach'
  ).split(' '),
);

interface Person {
  /** How a post names them: capitalised titles kept ("NASA Administrator Bill Nelson"). */
  readonly display: string;
  /** The personal name without titles ("Bill Nelson"). */
  readonly name: string;
  /** Lower-case title words that preceded the name ("administrator"). */
  readonly titles: readonly string[];
}

const MENTION = new RegExp(NAME, 'gu');

/** People named in a text: at least two name tokens after any title words, or a title and a surname. */
export function findPeople(text: string): Person[] {
  const people: Person[] = [];
  for (const match of text.matchAll(MENTION)) {
    const person = toPerson(match[0]);
    if (person) people.push(person);
  }
  return people;
}

/** Words that may stand before a title as part of it ("Foreign Minister", "Port Authority Director"). */
const TITLE_MODIFIERS = new Set(
  (
    'foreign prime vice deputy acting interim former council city county state assistant associate ' +
    'executive senior chief port authority police fire health transit education finance defense defence ' +
    'interior trade energy space agency district federal national general attorney managing'
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
    while (
      from > 0 &&
      (/^\p{Lu}{2,}$/u.test(tokens[from - 1]!) || TITLE_MODIFIERS.has(bare(tokens[from - 1]!)))
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
  if (nameTokens.length === 0 || nameTokens.length > 4) return undefined;
  if (nameTokens.some((t) => NOT_NAME.has(bare(t)))) return undefined;
  if (NOT_PERSON.has(bare(nameTokens.at(-1)!))) return undefined;
  if (nameTokens.some((t) => /^\p{Lu}{2,}$/u.test(t))) return undefined; // "CSTO", "HRW"
  if (lastTitle === -1 && nameTokens.length < 2) return undefined;
  const titleTokens = kept.slice(0, lastTitle + 1);
  // A long chain of offices ("Director of the OSCE Office for …") is shortened to its last title.
  const shownTitles = titleTokens.length > 4 ? titleTokens.slice(-1) : titleTokens;
  const name = nameTokens.join(' ').replace(/[’']s$/u, '');
  return {
    display: [...shownTitles, name].join(' '),
    name,
    titles: titleTokens.map(bare).filter((t) => TITLES.has(t)),
  };
}

const bare = (token: string) =>
  token
    .toLowerCase()
    .replace(/[’']s$/u, '')
    .replace(/[.,]$/, '');

/** Resolves a name as written in an attribution against the people named so far. */
function completeName(written: string, known: readonly Person[]): string | undefined {
  const tokens = written.split(/\s+/);
  // Only titles ("President"): the one person named earlier with that title.
  if (tokens.every((t) => TITLES.has(bare(t)) || TITLE_MODIFIERS.has(bare(t)))) {
    return byTitle(bare(tokens.at(-1)!), known);
  }
  const person =
    toPerson(written) ??
    (tokens.length === 1 && !NOT_NAME.has(bare(written))
      ? { display: written, name: written, titles: [] }
      : undefined);
  if (!person) return undefined;
  const surname = person.name.split(' ').at(-1)!;
  // Everyone named earlier with that surname; full names must agree ("Ana Ruiz" and "Carlos Ruiz"
  // make "Ruiz said" unknown).
  const same = known.filter((p) => p.name.split(' ').at(-1) === surname);
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

function byTitle(title: string, known: readonly Person[]): string | undefined {
  const withTitle = unique(known.filter((p) => p.titles.includes(title)));
  // "President Tokayev" and "President Kassym-Jomart Tokayev" are one person.
  const names = new Set(withTitle.map((p) => p.name.split(' ').at(-1)));
  if (names.size !== 1) return undefined;
  return withTitle.sort((a, b) => b.display.length - a.display.length)[0]!.display;
}

/** The people an attribution may refer back to: the latest few hundred named (bounded work per quotation). */
function recentPeople(people: readonly Person[]): readonly Person[] {
  return people.length > 300 ? people.slice(-300) : people;
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
  const before: Person[] = [];
  let added = 0;
  const knownUpTo = (paragraph: number, offset: number): Person[] => {
    for (; added < paragraph; added++) before.push(...findPeople(paragraphs[added]!));
    return [...recentPeople(before), ...findPeople(paragraphs[paragraph]!.slice(0, offset))];
  };

  let previous: { quotation: Quotation; paragraph: number; end: number } | undefined;
  for (let k = 0; k < segments.length; k++) {
    const first = segments[k]!;
    if (!isDirect(inner(paragraphs, first))) continue;
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
      // “…,” said X, “and …”: the next segment starts right after the attribution, in lower case or
      // after a comma, in the same sentence.
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
    let speaker = resolveSpeaker(attribution, known, previous, first, paragraphs);
    if (!attribution && previous && continuesPrevious(previous, first, paragraphs)) {
      speaker = previous.quotation.speaker;
    }
    const quotation: Quotation = {
      spans: group.map((s) => ({ paragraph: s.paragraph, start: s.open + 1, end: s.close })),
      marked: group.map((s) => ({
        paragraph: s.paragraph,
        start: s.open,
        end: s.closed ? s.close + 1 : s.close,
      })),
      ...(attribution ? { attribution: attribution.range } : {}),
      ...(speaker ? { speaker } : {}),
      marks: first.marks,
    };
    if (quotedText.trim()) quotations.push(quotation);
    const last = group.at(-1)!;
    previous = { quotation, paragraph: last.paragraph, end: attribution?.range.end ?? last.close };
  }
  return quotations;
}

/** An unattributed quotation that opens its paragraph, or follows in the same one, continues the last. */
function continuesPrevious(
  previous: { paragraph: number; end: number },
  segment: Segment,
  paragraphs: readonly string[],
): boolean {
  if (previous.paragraph === segment.paragraph) {
    // Nobody else is named in between.
    const between = paragraphs[segment.paragraph]!.slice(previous.end, segment.open);
    return findPeople(between).length === 0 && !new RegExp(VERB).test(between);
  }
  return previous.paragraph === segment.paragraph - 1 && segment.open === 0;
}

function resolveSpeaker(
  attribution: Attribution | undefined,
  known: readonly Person[],
  previous: { quotation: Quotation; paragraph: number } | undefined,
  segment: Segment,
  paragraphs: readonly string[],
): string | undefined {
  if (!attribution) return undefined;
  // "said council president Diane Okafor": the NAME group holds the capitalised words only.
  if (attribution.name) return completeName(attribution.name, known);
  // "the President said": the one person named earlier with that title.
  if (attribution.title) return byTitle(attribution.title, known);
  // A pronoun: the speaker just before, when nobody else was named since; else the only person
  // named in this paragraph (before the quotation) and the one before it.
  const recent = unique([
    ...findPeople(paragraphs[segment.paragraph - 1] ?? ''),
    ...findPeople(paragraphs[segment.paragraph]!.slice(0, segment.open)),
  ]);
  if (previous?.quotation.speaker && previous.paragraph >= segment.paragraph - 1) {
    const others = recent.filter((p) => !previous.quotation.speaker!.endsWith(p.name));
    return others.length === 0 ? previous.quotation.speaker : undefined;
  }
  return recent.length === 1 ? recent[0]!.display : undefined;
}
