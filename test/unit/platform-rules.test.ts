import { describe, expect, it } from 'vitest';
import { rulesFor, TELEGRAM_RULES, TWITTER_RULES } from '../../src/domain/platform-rules.js';
import { platformLength, tweetIsValid } from '../fixtures/fixtures.js';

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
