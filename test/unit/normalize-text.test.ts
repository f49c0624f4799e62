import { describe, expect, it } from 'vitest';
import { normalizeText, splitParagraphs, toParagraph } from '../../src/domain/normalize-text.js';

describe('normalizeText', () => {
  it('composes to NFC, so "é" typed as e + combining accent is one character', () => {
    const decomposed = 'cafe\u0301';
    expect(decomposed).toHaveLength(5);
    const out = normalizeText(decomposed);
    expect(out).toBe('caf\u00e9');
    expect(out).toHaveLength(4);
  });

  it('turns CRLF and lone CR into LF', () => {
    expect(normalizeText('one\r\ntwo\rthree\n')).toBe('one\ntwo\nthree\n');
  });

  it('replaces non-breaking and other unusual spaces with ordinary ones', () => {
    expect(normalizeText('10\u00a0km, 5\u202f%, a\u2009b, c\u3000d, e\tf')).toBe('10 km, 5 %, a b, c d, e f');
  });

  it('collapses runs of spaces to one', () => {
    expect(normalizeText('a  b     c \u00a0 d')).toBe('a b c d');
  });

  it('removes control characters, zero-width spaces, soft hyphens and a byte-order mark', () => {
    expect(normalizeText('\ufeffab\u0000c\u0007d\u001be\u007ff\u0085g\u200bh\u00adi\u2060j')).toBe(
      'abcdefghij',
    );
  });

  it('keeps zero-width joiners and variation selectors, which emoji sequences need', () => {
    const family = '👨\u200d👩\u200d👧';
    const heart = '❤\ufe0f';
    expect(normalizeText(`${family} ${heart}`)).toBe(`${family} ${heart}`);
  });

  it('keeps newlines (they separate paragraphs), drops spaces before them, keeps indentation', () => {
    expect(normalizeText('one  \ntwo\u2028three\u2029four')).toBe('one\ntwo\nthree\nfour');
    expect(normalizeText('- item\n    wrapped  twice\n\t\nnext  ')).toBe('- item\n    wrapped twice\n\nnext');
  });
});

describe('toParagraph and splitParagraphs', () => {
  it('joins the lines of a block with single spaces', () => {
    expect(toParagraph('  a line\nwrapped\n  here ')).toBe('a line wrapped here');
  });

  it('splits at blank lines and drops empty blocks', () => {
    expect(splitParagraphs('First para\nstill first.\n\n\n\nSecond.\n\n\n')).toEqual([
      'First para still first.',
      'Second.',
    ]);
  });
});

describe('splitParagraphs keeps list items as paragraphs of their own', () => {
  it.each([
    [
      'bullets after a lead-in line',
      'The plan has three parts:\n- earlier boats\n- fewer night boats\n• a new pier',
      ['The plan has three parts:', '- earlier boats', '- fewer night boats', '• a new pier'],
    ],
    [
      '"* " bullets and numbered items with "." or ")"',
      '* one\n* two\n\n1. first\n2) second',
      ['* one', '* two', '1. first', '2) second'],
    ],
    [
      'an indented or lower-case line continues the item; text after the list starts a paragraph',
      '- fewer night boats, which\n  the port called a saving\n- a new pier that\nopens in May\nThe vote was close.',
      [
        '- fewer night boats, which the port called a saving',
        '- a new pier that opens in May',
        'The vote was close.',
      ],
    ],
  ])('%s', (_what, text, expected) => {
    expect(splitParagraphs(normalizeText(text))).toEqual(expected);
  });

  it.each([
    // a wrapped sentence whose next line opens with a number is not a list
    ['The total rose by\n12. The next year it fell.', ['The total rose by 12. The next year it fell.']],
    ['Fares rose in\n2024. Then they fell.', ['Fares rose in 2024. Then they fell.']],
    // a hyphen inside a line is no bullet
    [
      'A well-known line - the harbour tram - reopened.',
      ['A well-known line - the harbour tram - reopened.'],
    ],
    ['-30-\n-end-', ['-30- -end-']],
  ])('not a list: %j', (text, expected) => {
    expect(splitParagraphs(normalizeText(text))).toEqual(expected);
  });
});
