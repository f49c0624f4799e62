/**
 * Normalises text the way posting needs it: NFC (so lengths are counted the way platforms count
 * them), Unix line endings, no control characters or zero-width junk, ordinary spaces instead of
 * non-breaking ones, and no runs of spaces. Newlines are kept: they separate paragraphs.
 *
 * Zero-width joiners (U+200D) and variation selectors stay: emoji sequences need them.
 */
export function normalizeText(raw: string): string {
  return (
    raw
      .replace(/^\uFEFF/, '')
      .replace(/\r\n?/g, '\n')
      .normalize('NFC')
      .replace(/[\u00A0\u2007\u202F\u2000-\u200A\u205F\u3000\t\f\v]/g, ' ')
      .replace(/[\u200B\u2060\uFEFF\u00AD]/g, '')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
      .replace(/[\u0000-\u0008\u000E-\u001F\u007F-\u009F]/g, '')
      .replace(/\u2028|\u2029/g, '\n')
      .replace(/ {2,}/g, ' ')
      .replace(/ *\n */g, '\n')
  );
}

/** Collapses a block of lines into one paragraph line with single spaces. */
export function toParagraph(block: string): string {
  return block.replace(/\s+/g, ' ').trim();
}

/** Splits normalised text into paragraphs at blank lines; single newlines join with a space. */
export function splitParagraphs(text: string): string[] {
  return text
    .split(/\n{2,}/)
    .map(toParagraph)
    .filter((p) => p.length > 0);
}
