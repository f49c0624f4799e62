import { describe, expect, it } from 'vitest';
import { cutToFit } from '../../src/domain/cut-to-fit.js';
import { platformLength } from '../fixtures/fixtures.js';
import { createRandom, randomParagraph, UNCUTTABLE } from '../fixtures/segmentation/random-paragraphs.js';

const utf16 = (text: string) => text.length;
const weighted = (text: string) => platformLength('twitter', text);
const graphemeSegmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Offsets where a grapheme cluster starts (and the end), computed independently of the code. */
function graphemeBoundaries(text: string): Set<number> {
  const set = new Set([...graphemeSegmenter.segment(text)].map((s) => s.index));
  set.add(text.length);
  return set;
}

/** Checks that pieces are the text, in order, cut only at grapheme boundaries. */
function expectCleanCuts(text: string, pieces: readonly string[]) {
  expect(pieces.join('')).toBe(text);
  const boundaries = graphemeBoundaries(text);
  let offset = 0;
  for (const piece of pieces) {
    offset += piece.length;
    expect(boundaries.has(offset), `cut at ${offset} is inside a grapheme cluster`).toBe(true);
  }
}

describe('cutToFit', () => {
  it('leaves a text that fits alone', () => {
    expect(cutToFit('  Short enough.  ', 40, utf16)).toEqual({
      pieces: ['Short enough.'],
      spans: [[2, 15]],
      forced: false,
    });
  });

  it('prefers a semicolon or colon to a comma', () => {
    const text =
      'The board expects growth, slowly; analysts at the institute, whose report was late, disagree.';
    const { pieces, forced } = cutToFit(text, 60, utf16);
    expect(pieces[0]).toBe('The board expects growth, slowly;');
    expect(pieces.join(' ')).toBe(text);
    expect(forced).toBe(false);
  });

  it('takes a dash when there is no semicolon, keeping the dash with the first piece', () => {
    const text = 'And they did leave, in the end — days after the street fighting had stopped for good.';
    expect(cutToFit(text, 50, utf16).pieces[0]).toBe('And they did leave, in the end —');
  });

  it('takes the last comma in the later half of what fits', () => {
    const text = 'Trams run every seven minutes, even at night, and every twelve minutes on the weekend.';
    expect(cutToFit(text, 50, utf16).pieces[0]).toBe('Trams run every seven minutes, even at night,');
  });

  it('ignores a clause boundary in the first half (too short a piece) and cuts at a word', () => {
    const text = 'Yes, the quick brown fox jumps over the lazy dog again and again and again.';
    const { pieces } = cutToFit(text, 40, utf16);
    expect(pieces[0]).not.toBe('Yes,');
    expect(pieces[0]!.length).toBeGreaterThan(20);
    expect(pieces.join(' ')).toBe(text);
  });

  it('cuts a quotation of several sentences at a sentence end, not at an abbreviation', () => {
    const text =
      '“We are dealing with well armed bandits, both local and foreign ones, said Dr. Smith. Yes, bandits and terrorists. And they need to be stopped,” he said.';
    const { pieces } = cutToFit(text, 120, utf16);
    expect(pieces[0]).toBe(
      '“We are dealing with well armed bandits, both local and foreign ones, said Dr. Smith. Yes, bandits and terrorists.',
    );
  });

  it('never cuts inside a word, a URL or a number', () => {
    const text =
      'The timetable for all 5,500,000 riders is at https://transit.example.org/harbour-line/timetable.html?lang=en today';
    const longest = Math.max(...text.split(' ').map((w) => w.length));
    for (let budget = longest; budget < text.length; budget += 3) {
      const { pieces, forced } = cutToFit(text, budget, utf16);
      expect(forced).toBe(false);
      expect(pieces.join(' ')).toBe(text);
      for (const piece of pieces) {
        expect(text.split(' ')).toEqual(expect.arrayContaining(piece.split(' ')));
      }
    }
  });

  it('measures with the platform: a URL counts 23 on X however long it is', () => {
    const url = `https://example.org/${'long-path/'.repeat(30)}`;
    const text = `Read the whole report at ${url} before the vote on Friday, the council said.`;
    expect(text.length).toBeGreaterThan(300);
    expect(cutToFit(text, 280, weighted).pieces).toEqual([text]);
  });

  it('cuts CJK text at its own punctuation, which takes no space', () => {
    const text = '一位摊主说：“我们每天晚上都在这里，已经十年了。”她的店卖手工面条。今年的游客比去年多。';
    const { pieces, forced } = cutToFit(text, 40, weighted);
    expect(forced).toBe(false);
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) expect(weighted(piece)).toBeLessThanOrEqual(40);
    expect(pieces[0]).toMatch(/[。，：”]$/);
  });

  it('a 5,000-character token with no spaces is cut at grapheme boundaries and reported as forced', () => {
    const token = 'abcdefghij'.repeat(500);
    for (const [measure, budget] of [
      [utf16, 4096],
      [utf16, 600],
      [weighted, 280],
    ] as const) {
      const { pieces, forced } = cutToFit(token, budget, measure);
      expect(forced).toBe(true);
      expect(pieces.join('')).toBe(token);
      for (const piece of pieces) expect(measure(piece)).toBeLessThanOrEqual(budget);
      expect(pieces.length).toBe(Math.ceil(token.length / budget));
    }
  });

  it.each([
    ['thumbs up with skin tones', '👍🏽👍🏿👋🏻'],
    ['ZWJ families and professions', '👨‍👩‍👧‍👦👩🏽‍🚀🧑‍🤝‍🧑'],
    ['flags', '🇵🇹🇯🇵🇺🇦🏴󠁧󠁢󠁳󠁣󠁴󠁿'],
    ['combining marks', 'e\u0301a\u0308o\u0302\u0323n\u0303'],
    ['Hangul jamo and Devanagari clusters', '\u1100\u1161\u11a8क्षि'],
  ])('never splits %s, at any budget', (_what, unit) => {
    const token = unit.repeat(40);
    for (const budget of [1, 2, 3, 5, 8, 13, 21, 34]) {
      for (const measure of [utf16, weighted]) {
        const { pieces, forced } = cutToFit(token, budget, measure);
        expect(forced).toBe(true);
        expectCleanCuts(token, pieces);
        // Every piece fits unless a single grapheme is larger than the budget.
        for (const piece of pieces) {
          if ([...graphemeSegmenter.segment(piece)].length > 1) {
            expect(measure(piece)).toBeLessThanOrEqual(budget);
          }
        }
      }
    }
  });

  it('a sentence with an emoji-laden word near the limit is cut at a space, not inside the emoji', () => {
    const text = `${'word '.repeat(10)}👨‍👩‍👧‍👦👨‍👩‍👧‍👦 end of the sentence here.`;
    const longest = Math.max(...text.split(' ').map((w) => w.length));
    for (let budget = longest; budget < text.length; budget++) {
      const { pieces, forced } = cutToFit(text, budget, utf16);
      expect(forced).toBe(false);
      expect(pieces.join(' ')).toBe(text);
    }
  });

  it('is deterministic', () => {
    const text = 'Alpha beta, gamma delta; epsilon — zeta eta theta. '.repeat(20);
    expect(cutToFit(text, 70, weighted)).toEqual(cutToFit(text, 70, weighted));
  });

  // Issue #9: a post carries the article's characters exactly.
  it('cuts only at whitespace: the pieces and the whitespace between them are the text (seeded random texts)', () => {
    const random = createRandom(20_240_826);
    let checked = 0;
    for (let round = 0; round < 400; round++) {
      const { text, tokens } = randomParagraph(random);
      for (const measure of [utf16, weighted]) {
        const words = text.split(/\s+/).filter(Boolean);
        const longest = Math.max(...words.map(measure));
        const budget = longest + Math.floor(random() * Math.max(1, measure(text) - longest));
        const { pieces, spans, forced } = cutToFit(text, budget, measure);
        const where = `${JSON.stringify(text)} at ${budget}`;
        expect(forced, where).toBe(false);
        expect(pieces, where).toEqual(spans.map(([s, e]) => text.slice(s, e)));
        expectCutsAtWhitespace(text, spans, where);
        expect(pieces.join('').replace(/\s/g, ''), where).toBe(text.replace(/\s/g, ''));
        for (const piece of pieces) expect(measure(piece), where).toBeLessThanOrEqual(budget);
        for (const token of tokens)
          expect(
            pieces.some((p) => p.includes(token)),
            `${token} in ${where}`,
          ).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(800);
  });

  it('cuts inside a token only when the token alone is longer than the budget (forced)', () => {
    const random = createRandom(7);
    for (let round = 0; round < 200; round++) {
      const long = `https://example.org/${'a1.b2/'.repeat(30 + Math.floor(random() * 30))}end`;
      const { text } = randomParagraph(random, true);
      const full = `${text} ${long} ${text}`;
      const longest = Math.max(...text.split(' ').map(utf16));
      const budget = longest + Math.floor(random() * 20);
      const { pieces, spans, forced } = cutToFit(full, budget, utf16);
      expect(forced).toBe(true);
      expect(pieces.join('').replace(/\s/g, '')).toBe(full.replace(/\s/g, ''));
      // Every cut that is not at whitespace is inside the long token.
      const tokenStart = full.indexOf(long);
      for (let i = 1; i < spans.length; i++) {
        const cut = spans[i]![0];
        if (spans[i - 1]![1] === cut) {
          expect(cut).toBeGreaterThan(tokenStart);
          expect(cut).toBeLessThan(tokenStart + long.length);
        }
      }
      // The short tokens are never cut.
      for (const token of UNCUTTABLE.filter((t) => text.includes(t))) {
        expect(pieces.filter((p) => p.includes(token)).length).toBeGreaterThan(0);
      }
    }
  });
});

/** Spans are in order, cover the text but whitespace, and each gap between two is whitespace. */
function expectCutsAtWhitespace(text: string, spans: readonly (readonly [number, number])[], where: string) {
  let previous = 0;
  spans.forEach(([start, end], i) => {
    expect(start, where).toBeLessThan(end);
    const gap = text.slice(previous, start);
    expect(gap, where).toMatch(i === 0 ? /^\s*$/ : /^\s+$/);
    expect(text.slice(start, end), where).toBe(text.slice(start, end).trim());
    previous = end;
  });
  expect(text.slice(previous), where).toMatch(/^\s*$/);
}
