import { readFileSync } from 'node:fs';
import sbd from 'sbd';
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../src/domain/ingest-text.js';
import {
  quoteIsOpen,
  type Span,
  segmentParagraph,
  segmentSentences,
  sentenceSpans,
} from '../../src/domain/segment-sentences.js';
import {
  defaultRules,
  readSegmentationCases,
  type SegmentationCase,
  samplePath,
} from '../fixtures/fixtures.js';
import { createRandom, randomParagraph } from '../fixtures/segmentation/random-paragraphs.js';

const cases = readSegmentationCases();
const KNOWN_MISS = 'initialism ends a sentence, next word a noun';

/** pragmatic_segmenter's English Golden Rules (MIT; provenance and license in the file). */
const golden: { cases: SegmentationCase[]; skipped: { note: string; why: string }[] } = JSON.parse(
  readFileSync(new URL('../fixtures/segmentation/golden-rules-en.json', import.meta.url), 'utf8'),
);

describe('the hard-case fixture list', () => {
  it('has at least 90 cases whose expected sentences rebuild the text exactly', () => {
    expect(cases.length).toBeGreaterThanOrEqual(90);
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

describe('the Golden Rules fixture', () => {
  it('holds 49 of the 52 English rules, each expected sentence a substring of the text, in order', () => {
    expect(golden.cases).toHaveLength(49);
    expect(golden.skipped.map((s) => s.note.slice(0, 4))).toEqual(['#040', '#041', '#042']);
    for (const c of golden.cases) {
      let cursor = 0;
      for (const sentence of c.expected) {
        const at = c.text.indexOf(sentence, cursor);
        expect(at, `${c.note}: ${sentence}`).toBeGreaterThanOrEqual(cursor);
        cursor = at + sentence.length;
      }
    }
  });
});

describe('accuracy against ICU and raw sbd', () => {
  const icu = new Intl.Segmenter('en', { granularity: 'sentence' });
  const segmenters: Record<string, (text: string) => string[]> = {
    quotecast: segmentParagraph,
    'Intl.Segmenter': (text) => [...icu.segment(text)].map((s) => s.segment.trim()).filter(Boolean),
    sbd: (text) => sbd.sentences(text, {}).map((s) => s.trim()),
  };
  const accuracy = (suite: readonly SegmentationCase[], segment: (text: string) => string[]) =>
    suite.filter((c) => JSON.stringify(segment(c.text)) === JSON.stringify(c.expected)).length / suite.length;

  // Floors a little under the figures reached (own list 98/99, Golden Rules 42/49): a regression of
  // one case fails. The Golden Rules missed are the six inline lists without sentence punctuation
  // (#031, #033, #035, #037-#039: cutting before "2)" or "b." would also cut "the plan: 1) cut
  // taxes and 2) raise them") and #052, sentences with no space between them: we cut only at
  // whitespace, which is what keeps "t.me" and "example.com" whole.
  it.each([
    ['our hard cases', cases, 0.98],
    ['pragmatic_segmenter Golden Rules (English)', golden.cases, 0.85],
  ] as const)('%s: ours is at least as good as ICU and sbd, and above its floor', (name, suite, floor) => {
    const scores = Object.fromEntries(
      Object.entries(segmenters).map(([segmenter, f]) => [segmenter, accuracy(suite, f)]),
    );
    console.log(
      `sentence segmentation, ${name} (${suite.length}), exact splits: ${Object.entries(scores)
        .map(([segmenter, score]) => `${segmenter} ${(score * 100).toFixed(1)}%`)
        .join(', ')}`,
    );
    const ours = scores.quotecast!;
    expect(ours).toBeGreaterThanOrEqual(scores['Intl.Segmenter']!);
    expect(ours).toBeGreaterThanOrEqual(scores.sbd!);
    expect(ours).toBeGreaterThanOrEqual(floor);
  });

  it.each(golden.cases.filter((c) => !/^#0(3[13579]|38|52) /.test(c.note)).map((c) => [c.note, c] as const))(
    'Golden Rule %s',
    (_note, c) => {
      expect(segmentParagraph(c.text)).toEqual(c.expected);
    },
  );
});

/**
 * Spans are in order and non-empty, each is trimmed, and what lies between two of them (and around
 * them) is whitespace: the sentences and the whitespace that separated them are the paragraph.
 */
function expectExactCuts(paragraph: string, spans: readonly Span[], where: string) {
  let previous = 0;
  spans.forEach(([start, end], i) => {
    expect(start, where).toBeLessThan(end);
    expect(paragraph.slice(previous, start), where).toMatch(i === 0 ? /^\s*$/ : /^\s+$/);
    expect(paragraph.slice(start, end).trim(), where).toBe(paragraph.slice(start, end));
    previous = end;
  });
  expect(paragraph.slice(previous), where).toMatch(/^\s*$/);
}

describe('a sentence is the article’s characters exactly (issue #9)', () => {
  it.each([
    ['Join us at https://t.me/qc_news today.', ['Join us at https://t.me/qc_news today.']],
    [
      'The full text is at http://a.example/x.y for now. It may move.',
      ['The full text is at http://a.example/x.y for now.', 'It may move.'],
    ],
    [
      'The message came from evil.example and was fake.',
      ['The message came from evil.example and was fake.'],
    ],
    [
      'Read it at example.com. Then tell us what you think.',
      ['Read it at example.com.', 'Then tell us what you think.'],
    ],
  ])('%s', (paragraph, expected) => {
    expect(segmentParagraph(paragraph)).toEqual(expected);
  });

  it('cuts only at whitespace, and never inside a URL, a domain, an address or a number (seeded random paragraphs)', () => {
    const random = createRandom(9);
    for (let round = 0; round < 3000; round++) {
      const { text, tokens } = randomParagraph(random);
      const where = JSON.stringify(text);
      const spans = sentenceSpans(text);
      const sentences = segmentParagraph(text);
      expect(sentences, where).toEqual(spans.map(([s, e]) => text.slice(s, e)));
      expectExactCuts(text, spans, where);
      expect(sentences.join('').replace(/\s/g, ''), where).toBe(text.replace(/\s/g, ''));
      for (const token of tokens)
        expect(
          sentences.some((s) => s.includes(token)),
          `${token} in ${where}`,
        ).toBe(true);
    }
  });

  it('keeps the whitespace between sentences as it was', () => {
    const paragraph = '  First one.\tSecond one?  Third one!\n';
    expect(sentenceSpans(paragraph)).toEqual([
      [2, 12],
      [13, 24],
      [26, 36],
    ]);
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
