import { readFileSync } from 'node:fs';
import sbd from 'sbd';
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../src/domain/ingest-text.js';
import { quoteIsOpen, segmentParagraph, segmentSentences } from '../../src/domain/segment-sentences.js';
import { defaultRules, readSegmentationCases, samplePath } from '../fixtures/fixtures.js';

const cases = readSegmentationCases();
const KNOWN_MISS = 'initialism ends a sentence, next word a noun';

describe('the hard-case fixture list', () => {
  it('has at least 40 cases whose expected sentences rebuild the text exactly', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const c of cases) expect(c.expected.join(' '), c.note).toBe(c.text);
  });

  // Each case on its own, so a failure names it.
  it.each(cases.filter((c) => c.note !== KNOWN_MISS).map((c) => [c.note, c] as const))('%s', (_note, c) => {
    expect(segmentParagraph(c.text)).toEqual(c.expected);
  });

  // "He moved to the U.S. Officials welcomed him.": after an initialism the sentence goes on unless
  // the next word usually opens one ("the U.S. Senate voted"); a capitalised noun looks the same.
  // Marked as failing so that fixing it is noticed.
  it.fails(`known miss: ${KNOWN_MISS}`, () => {
    const c = cases.find((x) => x.note === KNOWN_MISS)!;
    expect(segmentParagraph(c.text)).toEqual(c.expected);
  });
});

describe('accuracy against ICU and raw sbd', () => {
  const icu = new Intl.Segmenter('en', { granularity: 'sentence' });
  const segmenters: Record<string, (text: string) => string[]> = {
    quotecast: segmentParagraph,
    'Intl.Segmenter': (text) => [...icu.segment(text)].map((s) => s.segment.trim()).filter(Boolean),
    sbd: (text) => sbd.sentences(text, {}).map((s) => s.trim()),
  };
  const accuracy = (segment: (text: string) => string[]) =>
    cases.filter((c) => JSON.stringify(segment(c.text)) === JSON.stringify(c.expected)).length / cases.length;

  it('ours is at least as good as both and gets 95% or more of the cases exactly right', () => {
    const scores = Object.fromEntries(Object.entries(segmenters).map(([name, f]) => [name, accuracy(f)]));
    console.log(
      `sentence segmentation, ${cases.length} hard cases, exact splits: ${Object.entries(scores)
        .map(([name, score]) => `${name} ${(score * 100).toFixed(1)}%`)
        .join(', ')}`,
    );
    const ours = scores.quotecast!;
    expect(ours).toBeGreaterThanOrEqual(scores['Intl.Segmenter']!);
    expect(ours).toBeGreaterThanOrEqual(scores.sbd!);
    expect(ours).toBeGreaterThanOrEqual(0.95);
  });
});

describe('segmentParagraph', () => {
  it('returns exact substrings that join with single spaces back into the paragraph', () => {
    const paragraphs = [
      ...cases.map((c) => c.text),
      '“There are calls to negotiate. What a stupid suggestion!.. We are dealing with bandits. Yes, bandits,” he said on Jan. 7. The riots ended.',
    ];
    for (const paragraph of paragraphs) {
      const sentences = segmentParagraph(paragraph);
      for (const sentence of sentences) expect(paragraph).toContain(sentence);
      expect(sentences.join(' ')).toBe(paragraph);
    }
  });

  it('keeps a quotation of several sentences with its speaker', () => {
    expect(
      segmentParagraph(
        '“There are calls to negotiate. What a stupid suggestion!.. We are dealing with bandits. Yes, bandits,” he said on Jan. 7. The riots ended.',
      ),
    ).toEqual([
      '“There are calls to negotiate. What a stupid suggestion!.. We are dealing with bandits. Yes, bandits,” he said on Jan. 7.',
      'The riots ended.',
    ]);
  });

  it('a parenthesis of several sentences stays whole', () => {
    expect(segmentParagraph('The plan (it was the third. Nobody liked it.) passed. Then it failed.')).toEqual(
      ['The plan (it was the third. Nobody liked it.) passed.', 'Then it failed.'],
    );
  });

  it('an unclosed quotation mark keeps the rest of the paragraph together, in linear time', {
    timeout: 10_000,
  }, () => {
    // Rescanning the growing sentence took ~2 s at 4,000 sentences and grew with the square.
    const sentences = Array.from({ length: 16_000 }, (_, i) => `Sentence number ${i} says something.`);
    const paragraph = `“${sentences.join(' ')}`;
    expect(segmentParagraph(paragraph)).toEqual([paragraph]);
    expect(segmentParagraph(sentences.join(' '))).toHaveLength(16_000);
  });

  it('empty and blank paragraphs give no sentences', () => {
    expect(segmentParagraph('')).toEqual([]);
    expect(segmentParagraph('   ')).toEqual([]);
  });

  it('is deterministic', () => {
    const text = cases.map((c) => c.text).join(' ');
    expect(segmentParagraph(text)).toEqual(segmentParagraph(text));
  });
});

describe('segmentSentences on the sample article', () => {
  const { article } = ingestText(readFileSync(samplePath, 'utf8'), defaultRules);
  const sentences = segmentSentences(article.paragraphs);
  const texts = sentences.map((s) => s.text);

  it('numbers each sentence with its paragraph and loses nothing', () => {
    expect(sentences[0]!.paragraph).toBe(0);
    expect(sentences.at(-1)!.paragraph).toBe(article.paragraphs.length - 1);
    article.paragraphs.forEach((paragraph, i) => {
      const own = sentences.filter((s) => s.paragraph === i).map((s) => s.text);
      expect(own.join(' ')).toBe(paragraph);
    });
  });

  it('cuts where a reader would', () => {
    expect(texts).toContain('No, no and one more time no.');
    expect(texts).toContain(
      '5,500 criminal cases were started, and only 500 of them have reached the stage of a court trial so far.',
    );
    expect(
      texts.some(
        (t) => t.endsWith('the President said on Jan. 7.') && t.includes('stupid suggestion!.. We are'),
      ),
    ).toBe(true);
    expect(texts.some((t) => /^Jan\.|^7\./.test(t))).toBe(false);
    expect(texts.some((t) => t.includes('ties to the U.S., the EU'))).toBe(true);
  });
});

describe('quoteIsOpen', () => {
  it.each([
    ['“Will he?', true],
    ['“Will he?” she asked.', false],
    ['He said "yes', true],
    ['He said "yes."', false],
    ['«Liberté!', true],
    ['It’s the mayor’s office.', false],
  ])('%s -> %s', (text, open) => {
    expect(quoteIsOpen(text)).toBe(open);
  });
});
