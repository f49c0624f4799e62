import twitterText from 'twitter-text';
import type { Platform } from './article.js';

// twitter-text is CommonJS: its named exports exist only on the default object at run time.
const { parseTweet } = twitterText;

export interface PlatformRules {
  readonly platform: Platform;
  /** Hard limit as the platform counts length. */
  readonly maxLength: number;
  /** What the length is counted in, for messages ("weighted characters"). */
  readonly unit: string;
  /** Length of a text as the platform counts it. */
  measure(text: string): number;
}

/** X counts weighted length: most Latin text 1, CJK and emoji 2, every URL 23 (twitter-text v3). */
export const TWITTER_RULES: PlatformRules = {
  platform: 'twitter',
  maxLength: 280,
  unit: 'weighted characters',
  measure: (text) => twitterWeightedLength(text),
};

/**
 * twitter-text's weighted length, computed word by word. parseTweet is slow (a URL regex, an emoji
 * parser and a per-character check over the whole text), and the splitter measures every sentence,
 * candidate and post. The weighted length is a sum over the text: a URL or an emoji sequence never
 * spans a space or newline (each weighs 1), and NFC composes nothing across one, so each word can be
 * counted on its own. A word of plain Latin-range characters with no "." inside (so no URL) weighs
 * its length; any other word goes to parseTweet once and is remembered (a bounded cache: the same
 * URL and the same words recur across candidates). test/unit/platform-rules.test.ts checks the
 * result against parseTweet on every sentence of the fixtures and on random text.
 */
export function twitterWeightedLength(text: string): number {
  let total = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0x20;
    if (code !== 0x20 && code !== 0x0a) continue;
    if (i > start) total += wordWeight(text, start, i, start === 0);
    if (i < text.length) total += 1;
    start = i + 1;
  }
  return total;
}

const WORD_CACHE_LIMIT = 20_000;
const wordCache = new Map<string, number>();

/**
 * A word after a space is measured after a space: twitter-text's URL pattern looks at the character
 * before a URL, and at the very start of a text it reads "ét.co/x" as "é" + URL "t.co/x", after a
 * space as the URL "ét.co/x".
 */
function wordWeight(text: string, start: number, end: number, atStart: boolean): number {
  if (isPlainWord(text, start, end)) return end - start;
  const word = text.slice(start, end);
  const key = atStart ? `^${word}` : ` ${word}`;
  let weight = wordCache.get(key);
  if (weight === undefined) {
    weight = atStart ? parseTweet(word).weightedLength : parseTweet(key).weightedLength - 1;
    if (wordCache.size >= WORD_CACHE_LIMIT) wordCache.clear();
    wordCache.set(key, weight);
  }
  return weight;
}

/**
 * Every code unit weighs 1 in twitter-text v3 (U+0000–02FF: below the combining marks, so NFC
 * changes nothing; and the weight-1 punctuation ranges U+2000–200D, 2010–201F, 2032–2037), and no
 * "." is followed by more of the word, so it cannot hold a URL.
 */
function isPlainWord(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (i + 1 < end) return false;
    } else if (
      !(
        c <= 0x2ff ||
        (c >= 0x2000 && c <= 0x200d) ||
        (c >= 0x2010 && c <= 0x201f) ||
        (c >= 0x2032 && c <= 0x2037)
      )
    ) {
      return false;
    }
  }
  return true;
}

/**
 * Telegram limits message text to 4096 characters after entity parsing, counted in UTF-16 code
 * units. We send with parse_mode HTML and escape `<`, `>`, `&`, so what Telegram counts is our text.
 */
export const TELEGRAM_RULES: PlatformRules = {
  platform: 'telegram',
  maxLength: 4096,
  unit: 'characters',
  measure: (text) => text.length,
};

export function rulesFor(platform: Platform): PlatformRules {
  return platform === 'twitter' ? TWITTER_RULES : TELEGRAM_RULES;
}
