import { describe, expect, it } from 'vitest';
import {
  rulesFor,
  TELEGRAM_RULES,
  TWITTER_RULES,
  twitterWeightedLength,
} from '../../src/domain/platform-rules.js';
import { segmentSentences } from '../../src/domain/segment-sentences.js';
import {
  ARTICLE_FIXTURES,
  articlePath,
  ingestFile,
  platformLength,
  samplePath,
  tweetIsValid,
} from '../fixtures/fixtures.js';

describe('X (twitter) rules', () => {
  it('has the 280 limit', () => {
    expect(rulesFor('twitter')).toBe(TWITTER_RULES);
    expect(TWITTER_RULES.maxLength).toBe(280);
  });

  it.each([
    ['plain Latin', 'a'.repeat(280), 280],
    ['accented Latin (NFC)', 'é'.repeat(10), 10],
    ['a URL, however long', `see https://example.org/${'x'.repeat(200)}`, 4 + 23],
    ['a bare domain', 'see example.com now', 4 + 23 + 4],
    ['CJK', '中文字', 6],
    ['emoji with a skin tone', '👍🏽', 2],
    ['a ZWJ family', '👨‍👩‍👧‍👦', 2],
    ['a flag', '🇵🇹', 2],
    ['Arabic', 'مرحبا', 5],
    ['Hebrew', 'שלום', 4],
  ])('counts %s the way X does', (_what, text, expected) => {
    expect(TWITTER_RULES.measure(text)).toBe(expected);
    expect(TWITTER_RULES.measure(text)).toBe(platformLength('twitter', text));
  });

  it('a post at the limit is valid for X and one over it is not', () => {
    expect(tweetIsValid('a'.repeat(280))).toBe(true);
    expect(tweetIsValid('a'.repeat(281))).toBe(false);
    expect(tweetIsValid('中'.repeat(140))).toBe(true);
    expect(tweetIsValid('中'.repeat(141))).toBe(false);
  });
});

describe('Telegram rules', () => {
  it('has the 4096 limit', () => {
    expect(rulesFor('telegram')).toBe(TELEGRAM_RULES);
    expect(TELEGRAM_RULES.maxLength).toBe(4096);
  });

  it.each([
    ['plain Latin', 'abc', 3],
    ['an astral emoji: two UTF-16 units', '🥟', 2],
    ['emoji with a skin tone', '👍🏽', 4],
    ['a ZWJ family', '👨‍👩‍👧‍👦', 11],
    ['a URL counts every character', 'https://example.org/abc', 23],
    ['CJK', '中文字', 3],
  ])('counts %s in UTF-16 units', (_what, text, expected) => {
    expect(TELEGRAM_RULES.measure(text)).toBe(expected);
  });
});

describe('twitterWeightedLength (word by word, with a cache) agrees with parseTweet', () => {
  /** A small deterministic generator, so a failure can be reproduced. */
  function* randomTexts(count: number): Generator<string> {
    const pieces = [
      'a',
      'B',
      ' ',
      ' ',
      '\n',
      '.',
      '.',
      ',',
      'é',
      'e\u0301',
      '\u0301',
      '\u02ff',
      '\u0300',
      '\u1fff',
      '\u2000',
      '\u200d',
      '\u200e',
      '\u2010',
      '\u201f',
      '\u2020',
      '\u2026',
      '\u2032',
      '\u2037',
      '\u2038',
      'https://',
      'x.com',
      'example.org/path?q=1',
      '🇵🇹',
      '👍🏽',
      '👨‍👩‍👧',
      '©',
      '©\ufe0f',
      '中',
      'م',
      'ש',
      '@',
      '#',
      '$',
      '2',
      '5',
      'www.',
      't.co/abc',
      '\ufeff',
      '\u2028',
      '“',
      '”',
      '—',
      '…',
      '-',
      '/',
      ':',
      'Jan. 7',
      'U.S.',
    ];
    let seed = 20_240_607;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let n = 0; n < count; n++) {
      let text = '';
      const length = 1 + Math.floor(next() * 16);
      for (let i = 0; i < length; i++) text += pieces[Math.floor(next() * pieces.length)];
      yield text;
    }
  }

  it('on 20,000 random texts mixing URLs, emoji, combining marks, CJK, RTL and weight-range edges', () => {
    const mismatches: string[] = [];
    for (const text of randomTexts(20_000)) {
      if (twitterWeightedLength(text) !== platformLength('twitter', text))
        mismatches.push(JSON.stringify(text));
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('on every sentence and paragraph of the fixtures and the sample', () => {
    const texts = [samplePath, ...Object.values(ARTICLE_FIXTURES).map(articlePath)].flatMap((file) => {
      const { paragraphs } = ingestFile(file).article;
      return [...paragraphs, ...segmentSentences(paragraphs).map((s) => s.text)];
    });
    for (const text of texts) expect(twitterWeightedLength(text), text).toBe(platformLength('twitter', text));
  });

  it('a word at the start of a text is read as twitter-text reads it there', () => {
    // At the start "ét.co/x" is "é" + the URL "t.co/x"; after a space the URL is "ét.co/x".
    for (const text of ['ét.co/abc', 'x ét.co/abc', '\u0301x.com', 'a \u0301x.com']) {
      expect(twitterWeightedLength(text)).toBe(platformLength('twitter', text));
    }
  });
});
