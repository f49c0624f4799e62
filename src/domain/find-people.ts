/**
 * People named in an article: who a quotation's attribution points at. A word scanner finds runs of
 * capitalised words (far cheaper than a regular expression on a long article), each run is read as
 * titles and a name ("NASA Administrator Bill Nelson"), and an index by surname and by title lets a
 * later "Nelson said" or "the administrator said" be completed, or left unknown when two people fit.
 */
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

export interface Person {
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
export interface Known {
  withSurname(surname: string): readonly Person[];
  withTitle(title: string): readonly Person[];
}

export class PeopleIndex implements Known {
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
export function both(a: Known, b: Known): Known {
  return {
    withSurname: (s) => [...a.withSurname(s), ...b.withSurname(s)],
    withTitle: (t) => [...a.withTitle(t), ...b.withTitle(t)],
  };
}

export function indexOf(people: readonly Person[]): PeopleIndex {
  const index = new PeopleIndex();
  for (const p of people) index.add(p);
  return index;
}

/** People named in a text: at least two name tokens after any title words, or a title and a surname. */
export function findPeople(text: string): Person[] {
  return findMentions(text).map((m) => m.person);
}

export interface Mention {
  readonly person: Person;
  /** Where the mention starts in the text. */
  readonly at: number;
}

export function findMentions(text: string): Mention[] {
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
export function completeName(written: string, known: Known): string | undefined {
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

export function byTitle(title: string, known: Known): string | undefined {
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

/** Each paragraph's mentions of people, found once. */
export function memoMentions(paragraphs: readonly string[]): (paragraph: number) => readonly Mention[] {
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

export type MentionsOf = (paragraph: number) => readonly Mention[];

/** The people a text names, by full name or by the surname of someone named earlier; one per person. */
export function mentioned(
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
