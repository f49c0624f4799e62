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
  measure: (text) => parseTweet(text).weightedLength,
};

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
