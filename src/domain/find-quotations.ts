/**
 * Direct quotations and who said them. A newsroom article quotes people; a post that carries their
 * words must name them, never the article's author (DESIGN.md, "Words and attribution"). This is a
 * rule-based reader of the forms news copy uses, built to be predictable and to say "unknown" rather
 * than guess:
 * - marks: curly “…”, straight "…", guillemets «…» and low-high „…“; a quotation may run over
 *   paragraphs (the paragraph ends open and the next one opens again) and may be interrupted by its
 *   attribution (“We will rebuild,” said Diane Okafor, “and we will do it this year.”);
 * - a *direct* quotation starts with a capital (or a digit) and has three words or more; two or more
 *   lower-case quoted words inside a sentence (called the plan “a waste of money”) are a *partial*
 *   quotation: still the speaker's words, never offered alone; one quoted word is the author's own
 *   emphasis (“concessions”);
 * - the speaker comes from the attribution next to the quotation: "said X", "X said", "X told …",
 *   "according to X", "according to a memo by X", "said the <role>, X", "X said: “…”", or the
 *   subject of a speech verb earlier in the sentence; titles written in capitals are kept ("NASA
 *   Administrator Bill Nelson"), lower-case job descriptions are not; a surname alone is completed
 *   from the article's fullest mention; "the President said" is the one person with that title; an
 *   organisation speaks under its name (people: find-people.ts);
 * - "he/she said" is resolved to the subject of the last speech verb before it in the paragraph,
 *   else the one person the paragraph names, else (at the top of a paragraph) the speaker just
 *   before or the one person the paragraph before names; two people who could be meant: unknown;
 * - a direct quotation with no attribution of its own continues the one just before it in the same
 *   paragraph, or in the paragraph before when it opens its paragraph (news copy names a speaker
 *   once and then quotes on).
 */

import {
  both,
  byTitle,
  completeName,
  findPeople,
  indexOf,
  type Known,
  type MentionsOf,
  memoMentions,
  mentioned,
  PeopleIndex,
} from './find-people.js';

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
  for (const match of sentence.matchAll(SPEECH_SUBJECT)) found = readAttribution(match, s.paragraph, from);
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
    const found = readAttribution(match, segment.paragraph, headStart);
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
