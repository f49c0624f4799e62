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

  it('keeps newlines (they separate paragraphs) but trims spaces around them', () => {
    expect(normalizeText('one  \n  two\u2028three\u2029four')).toBe('one\ntwo\nthree\nfour');
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
