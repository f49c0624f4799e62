import twitterText from 'twitter-text';
import type { Article } from './article.js';

// twitter-text is CommonJS: its named exports exist only on the default object at run time.
const {
  extractCashtagsWithIndices,
  extractEntitiesWithIndices,
  extractHashtagsWithIndices,
  extractMentionsOrListsWithIndices,
} = twitterText;

/**
 * What an X channel does with a kind of tag written in the article's own text:
 * - `keep`: posted as written (an @mention notifies its account; a #hashtag and a $cashtag link);
 * - `neutralize`: the name stays readable, but X finds no tag in it (see `WORD_JOINER`);
 * - `drop`: the tag goes. A tag that is an aside (in brackets, after "via", "cc" or "h/t", a list of
 *   tags, a tag line after the last sentence, a trailing ", @name.") goes whole; a tag the sentence
 *   needs ("said @jack", "the #MeToo movement") keeps its word and loses only its sign ("said
 *   jack"): removing the word would leave "said." and change what the sentence says, and a word
 *   without its sign notifies and links nobody.
 */
export type TagPolicy = 'keep' | 'neutralize' | 'drop';

export interface MentionPolicy {
  /** `@name` and `＠name` (X reads both at-signs). */
  readonly mentions: TagPolicy;
  /** `#hashtag`, `＃hashtag` and `$CASHTAG`. */
  readonly textTags: TagPolicy;
}

/** The schema's defaults: nobody is notified; hashtags and cashtags stay as the article wrote them. */
export const DEFAULT_MENTION_POLICY: MentionPolicy = { mentions: 'neutralize', textTags: 'keep' };

/**
 * U+2060 WORD JOINER, put right after the sign: `@⁠jack`. It is invisible, keeps `@` and the name
 * together on one line, and twitter-text (X's own parser) then sees no mention, hashtag or cashtag:
 * each of its patterns needs a name character right after the sign, and U+2060 is neither a name
 * character nor a space. It counts 2 in X's weighted length (outside the weight-1 ranges of
 * twitter-text v3), so the splitter measures the neutralized text. Not chosen: U+200B (weight 1,
 * but a line may break between `@` and the name) and U+200C/U+200D (twitter-text counts them as
 * hashtag letters, so `#\u200Ctag` is still a hashtag).
 */
export const WORD_JOINER = '\u2060';

type TagKind = 'mention' | 'hashtag' | 'cashtag';

interface Tag {
  readonly kind: TagKind;
  /** Index of the sign. */
  readonly start: number;
  /** End of the name (a list mention's `/slug` included). */
  readonly end: number;
  /** `@name/list`: links to a list, notifies nobody. */
  readonly list?: boolean;
}

/**
 * A token longer than this is not checked for URLs (the tags in it are treated as tags): twitter-text's
 * URL pattern slows down sharply on long dotted tokens, and no link worth keeping is this long.
 */
const MAX_URL_TOKEN = 2048;

/**
 * A cashtag is a tag only after a space or at the start (twitter-text), but quotes mode posts the
 * words inside a quotation without its marks: `“$ACME rose”` can become a post that opens with
 * `$ACME`. A cashtag right after opening marks or brackets counts too.
 */
const QUOTED_CASHTAG =
  /(?<=(?:^|\s)[“‘"'«‹„‚([{]+)\$[a-z]{1,6}(?:[._][a-z]{1,2})?(?=$|\s|[!'#%&()*+,\\\-./:;<=>?@[\]^_{|}~$”’»›"])/giu;

/**
 * Applies a channel's policy to a text that comes from the article (a paragraph, the title, the
 * byline). Returns '' when nothing but tags was left (`drop`). Text from the channel itself (its
 * templates, its configured hashtags) must not come through here.
 */
export function applyMentionPolicy(text: string, policy: MentionPolicy): string {
  const kinds = policedKinds(policy);
  if (kinds.size === 0 || !/[@＠#＃$]/.test(text)) return text;
  let out = text;
  // Drops first (they move text), then neutralizes, then checks: a third look finds nothing. Should
  // dropping ever make a new tag, the last pass neutralizes whatever is there, so the result never
  // carries a live tag of a policed kind.
  for (let pass = 0; pass < 4; pass++) {
    const tags = findTags(out, kinds);
    if (tags.length === 0) return out;
    const dropping = tags.filter((t) => policyOf(t.kind, policy) === 'drop');
    out = pass < 3 && dropping.length > 0 ? dropTags(out, dropping) : neutralizeTags(out, tags);
  }
  return out;
}

/** The article with the policy applied to every text that came from it; the URL is left alone. */
export function applyMentionPolicyToArticle(article: Article, policy: MentionPolicy): Article {
  if (policedKinds(policy).size === 0) return article;
  const apply = (text: string) => applyMentionPolicy(text, policy);
  const { byline, ...rest } = article;
  const newByline = byline === undefined ? undefined : apply(byline);
  return {
    ...rest,
    title: apply(article.title),
    paragraphs: article.paragraphs.map(apply).filter((p) => p !== ''),
    ...(newByline ? { byline: newByline } : {}),
  };
}

/**
 * The mentions in a text that X will notify, as written (`@jack`, `＠POTUS`), once each (X names
 * are case-insensitive), in order. A mention inside a link (`https://medium.com/@jack`), an e-mail
 * address and a list (`@jack/list`) notify nobody and are not listed.
 */
export function liveMentions(text: string): string[] {
  if (!/[@＠]/.test(text)) return [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const tag of findTags(text, new Set(['mention']))) {
    if (tag.list) continue;
    const written = text.slice(tag.start, tag.end);
    const key = written.slice(1).toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(written);
  }
  return out;
}

/** The line a preview shows for a mention that stays live. */
export function liveMentionWarning(mention: string): string {
  return `live mention: ${mention} — X will notify them`;
}

function policedKinds(policy: MentionPolicy): ReadonlySet<TagKind> {
  const kinds = new Set<TagKind>();
  if (policy.mentions !== 'keep') kinds.add('mention');
  if (policy.textTags !== 'keep') {
    kinds.add('hashtag');
    kinds.add('cashtag');
  }
  return kinds;
}

function policyOf(kind: TagKind, policy: MentionPolicy): TagPolicy {
  return kind === 'mention' ? policy.mentions : policy.textTags;
}

/**
 * The tags of the given kinds that X would see in the text, sorted, not overlapping. twitter-text's
 * own extractors run over the whole text (linear: a sign's context is a character or two); the
 * slower URL check runs only on a token that holds a tag and a dot (no URL lacks one), because X
 * reads `https://medium.com/@jack` as a link, not a mention.
 */
function findTags(text: string, kinds: ReadonlySet<TagKind>): Tag[] {
  const found: Tag[] = [];
  if (kinds.has('mention') && /[@＠]/.test(text)) {
    for (const m of extractMentionsOrListsWithIndices(text)) {
      found.push({ kind: 'mention', start: m.indices[0], end: m.indices[1], list: m.listSlug !== '' });
    }
  }
  if (kinds.has('hashtag') && /[#＃]/.test(text)) {
    // Without the URL check over the whole text (slow on long text): URLs are checked per token below.
    const hashtags = (
      extractHashtagsWithIndices as (
        text: string,
        options: { checkUrlOverlap: boolean },
      ) => ReturnType<typeof extractHashtagsWithIndices>
    )(text, { checkUrlOverlap: false });
    for (const h of hashtags) found.push({ kind: 'hashtag', start: h.indices[0], end: h.indices[1] });
  }
  if (kinds.has('cashtag') && text.includes('$')) {
    for (const c of extractCashtagsWithIndices(text))
      found.push({ kind: 'cashtag', start: c.indices[0], end: c.indices[1] });
    for (const m of text.matchAll(QUOTED_CASHTAG))
      found.push({ kind: 'cashtag', start: m.index, end: m.index + m[0].length });
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const tags: Tag[] = [];
  for (const tag of found) {
    const last = tags[tags.length - 1];
    if (!last || tag.start >= last.end) tags.push(tag);
  }
  return withoutLinks(text, tags);
}

/** Leaves out the tags X reads as part of a link (the link comes first, so it wins). */
function withoutLinks(text: string, tags: readonly Tag[]): Tag[] {
  const out: Tag[] = [];
  let tokenStart = 0;
  let tokenEnd = -1;
  let links: [number, number][] | undefined;
  for (const tag of tags) {
    if (tag.start >= tokenEnd) {
      tokenStart = tag.start;
      while (tokenStart > 0 && !/\s/.test(text[tokenStart - 1]!)) tokenStart--;
      tokenEnd = tag.end;
      while (tokenEnd < text.length && !/\s/.test(text[tokenEnd]!)) tokenEnd++;
      links = undefined;
    }
    const token = text.slice(tokenStart, tokenEnd);
    if (token.length > MAX_URL_TOKEN || !token.includes('.')) {
      out.push(tag);
      continue;
    }
    links ??= extractEntitiesWithIndices(token)
      .filter((e) => 'url' in e)
      .map((e) => [e.indices[0] + tokenStart, e.indices[1] + tokenStart]);
    if (!links.some(([start, end]) => tag.start < end && tag.end > start)) out.push(tag);
  }
  return out;
}

function neutralizeTags(text: string, tags: readonly Tag[]): string {
  let out = '';
  let at = 0;
  for (const tag of tags) {
    out += text.slice(at, tag.start + 1) + WORD_JOINER;
    at = tag.start + 1;
  }
  return out + text.slice(at);
}

// --- drop -----------------------------------------------------------------------------------------

/** Words that introduce a credit or a copy: "via @jack", "h/t @jack", "cc: @jack". */
const CONNECTOR = /(?<![\p{L}\p{N}/])(?:via|cc|h\/t|ht|hat tip(?: to)?)\s*:?\s+$/iu;
const SENTENCE_END_BEFORE = /[.!?…]["”’»)]*\s+$/u;
const SEPARATOR_BEFORE = /[^\s,;:—–]\s*[,;:—–]\s*$/u;
const ONLY_END_PUNCTUATION = /^[.!?…]*\s*$/u;
const SENTENCE_END_AFTER = /^(?:[.!?…]["”’»)]*)?\s*$/u;
const CLOSING_FIRST = /^[,.;:!?…)\]}”’»]/u;
const OPENING_LAST = /[([{“‘«„]$/u;

interface Edit {
  readonly start: number;
  readonly end: number;
  /** Whole removal (join the text around it) or a replacement in place. */
  readonly join: boolean;
  readonly with?: string;
}

/** Drops the given tags (sorted, not overlapping) from a text; '' when nothing else was left. */
function dropTags(text: string, tags: readonly Tag[]): string {
  const edits: Edit[] = [];
  for (const run of runsOf(text, tags)) {
    const removal = removalOf(text, run);
    const last = edits[edits.length - 1];
    if (removal && (!last || removal.start >= last.end)) edits.push(removal);
    else edits.push(...run.map((tag) => signRemoval(text, tag)));
  }
  // Applied from the end, the text after each edit collected in reverse: linear in the text's length
  // however many tags it holds (a hostile paragraph may hold hundreds of thousands).
  const after: string[] = [];
  let cursor = text.length;
  for (const edit of edits.reverse()) {
    after.push(text.slice(edit.end, cursor));
    cursor = edit.join ? joinAround(text, edit.start, after) : edit.start;
    if (!edit.join) after.push(edit.with ?? '');
  }
  after.push(text.slice(0, cursor));
  const out = after.reverse().join('');
  return /[\p{L}\p{N}]/u.test(out) ? out : '';
}

/** Tags next to each other with only spaces between (an address line, a tag line). */
function runsOf(text: string, tags: readonly Tag[]): Tag[][] {
  const runs: Tag[][] = [];
  for (const tag of tags) {
    const run = runs[runs.length - 1];
    const prev = run?.[run.length - 1];
    if (run && prev && /^\s+$/u.test(text.slice(prev.end, tag.start))) run.push(tag);
    else runs.push([tag]);
  }
  return runs;
}

/** How far around a run its context is read: enough for a connector, brackets and punctuation. */
const CONTEXT = 40;

/** The span to remove when the run is an aside the sentence does not need; undefined otherwise. */
function removalOf(text: string, run: readonly Tag[]): Edit | undefined {
  const first = run[0]!;
  let start = dottedStart(text, first);
  const end = run[run.length - 1]!.end;
  const connector = connectorBefore(text, start);
  if (connector) start -= connector.length;
  // Read a window around the run, not the whole text: a paragraph may hold many runs.
  const before = text.slice(Math.max(0, start - CONTEXT), start);
  const after = text.slice(end, end + CONTEXT);
  const atStart = start <= CONTEXT && before.trim() === '';
  const atEnd = end + CONTEXT >= text.length;
  // "@jack’s", "@jack-led": the tag is part of a word and the word needs its name.
  if (!/^(?:$|\s|[,.;:!?…)\]”»"])/u.test(after)) return undefined;
  // "(@jack)", "(via @jack)": the brackets go too.
  const open = /[([]\s*$/u.exec(before);
  const close = /^\s*[)\]]/u.exec(after);
  if (open && close) return { start: start - open[0].length, end: end + close[0].length, join: true };
  if (connector || run.length > 1) return { start, end, join: true };
  // A tag line: after the last sentence, or all the text there is ("Great day. #tbt").
  if ((atStart || SENTENCE_END_BEFORE.test(before)) && atEnd && ONLY_END_PUNCTUATION.test(after))
    return { start, end: text.length, join: true };
  // A trailing aside after a comma or colon: "Thanks to everyone, @jack." keeps its period.
  const separator = SEPARATOR_BEFORE.exec(before);
  if (separator && atEnd && SENTENCE_END_AFTER.test(after))
    return { start: start - separator[0].length + 1, end, join: true };
  return undefined;
}

/** "via ", "h/t ", "cc: " right before `start`, as a word of its own; undefined when there is none. */
function connectorBefore(text: string, start: number): string | undefined {
  const from = Math.max(0, start - 20);
  const match = CONNECTOR.exec(text.slice(from, start));
  if (!match) return undefined;
  const at = from + match.index;
  return at === 0 || /[\s([]/u.test(text[at - 1]!) ? match[0] : undefined;
}

/** ".@jack" (X's idiom for a public reply): the dot belongs to the mention. */
function dottedStart(text: string, tag: Tag): number {
  const s = tag.start;
  return tag.kind === 'mention' && text[s - 1] === '.' && (s === 1 || /[\s(["“‘]/u.test(text[s - 2]!))
    ? s - 1
    : s;
}

/** Keeps the name, drops the sign (and the dot of ".@"); a space where the name would join a word. */
function signRemoval(text: string, tag: Tag): Edit {
  const start = dottedStart(text, tag);
  const glued = start > 0 && /[\p{L}\p{N}]/u.test(text[start - 1]!);
  return { start, end: tag.start + 1, join: false, with: glued ? ' ' : '' };
}

/**
 * Joins the text around a removed span that starts at `start`: one space where there was space, none
 * before closing punctuation or after an opening bracket. `after` holds what follows, in reverse
 * order (its leading space is trimmed here); returns where the text before now ends.
 */
function joinAround(text: string, start: number, after: string[]): number {
  let left = start;
  while (left > 0 && /\s/u.test(text[left - 1]!)) left--;
  const space = left < start ? text[left]! : undefined;
  const { next, space: nextSpace } = trimStartOf(after);
  if (left === 0 || next === undefined) return left;
  if (CLOSING_FIRST.test(next)) {
    // "…that, (@jack)." leaves no ",."
    if (/[,;:—–]/u.test(text[left - 1]!) && /[,.;:!?…]/u.test(next)) {
      left--;
      while (left > 0 && /\s/u.test(text[left - 1]!)) left--;
    }
    return left;
  }
  if (!OPENING_LAST.test(text[left - 1]!)) after.push(space ?? nextSpace ?? ' ');
  return left;
}

/**
 * Trims the leading space of the text held in reverse in `chunks`; returns its first character (undefined
 * when nothing is left) and the first space character trimmed.
 */
function trimStartOf(chunks: string[]): { next: string | undefined; space: string | undefined } {
  let space: string | undefined;
  while (chunks.length > 0) {
    const top = chunks[chunks.length - 1]!;
    const trimmed = top.trimStart();
    if (trimmed.length < top.length) space ??= top[0];
    if (trimmed === '') {
      chunks.pop();
      continue;
    }
    chunks[chunks.length - 1] = trimmed;
    return { next: trimmed[0], space };
  }
  return { next: undefined, space };
}
