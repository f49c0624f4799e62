import { isListItem } from './article.js';

/**
 * Normalises text the way posting needs it: NFC (so lengths are counted the way platforms count
 * them), Unix line endings, no control characters or zero-width junk, ordinary spaces instead of
 * non-breaking ones, and no runs of spaces inside a line. Newlines are kept: they separate
 * paragraphs. Spaces before a newline go; indentation stays, because it carries structure: Markdown
 * nests lists and continues list items by it, and plain text wraps a list item with it (see
 * `splitParagraphs`).
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
      .replace(/(\S) {2,}/g, '$1 ')
      .replace(/ +(?=\n|$)/g, '')
  );
}

/** Collapses a block of lines into one paragraph line with single spaces. */
export function toParagraph(block: string): string {
  return block.replace(/\s+/g, ' ').trim();
}

/**
 * Splits normalised text into paragraphs at blank lines; single newlines join with a space (a
 * hard-wrapped paragraph), except:
 * - a list item ("- ", "• ", "* ", "1. ", "1) ") starts a paragraph of its own, marker kept. A line
 *   after an item continues it when indented or in lower case (a wrapped item); otherwise the list
 *   is over and the line starts a paragraph;
 * - a block written a paragraph a line (see `isLinePerParagraph`) is split at every line.
 */
export function splitParagraphs(text: string): string[] {
  const out: string[] = [];
  for (const block of text.split(/\n(?: *\n)+/)) {
    const blockLines = block.split('\n');
    if (isLinePerParagraph(blockLines)) {
      out.push(...blockLines.map(toParagraph).filter(Boolean));
      continue;
    }
    let lines: string[] = [];
    let inList = false;
    const flush = () => {
      const paragraph = toParagraph(lines.join('\n'));
      if (paragraph) out.push(paragraph);
      lines = [];
    };
    for (const line of blockLines) {
      const trimmed = line.trim();
      if (!trimmed) continue;
      if (startsListItem(trimmed, lines.length === 0, inList)) {
        flush();
        inList = true;
      } else if (inList && !line.startsWith(' ') && !/^\p{Ll}/u.test(trimmed)) {
        flush();
        inList = false;
      }
      lines.push(trimmed);
    }
    flush();
  }
  return out;
}

/**
 * A bullet always starts an item. A number does only where a list is plausible (first line of the
 * block, after another item, or "1."), so a wrapped sentence whose next line opens "12. The next
 * year…" stays one paragraph.
 */
function startsListItem(line: string, firstInBlock: boolean, inList: boolean): boolean {
  if (!isListItem(line)) return false;
  if (!/^\d/.test(line)) return true;
  return firstInBlock || inList || /^1[.)]/.test(line);
}

/** A hard-wrapped line is at most about 80 characters; a paragraph on one line is usually longer. */
const LONG_LINE = 100;

/**
 * Text pasted from a page or a chat puts each paragraph on a line of its own, with no blank lines.
 * Such a block has long lines that each end a sentence; a hard-wrapped block has none (72 columns)
 * or long lines that stop mid-sentence. Splitting at a line that ends a sentence never cuts one.
 */
function isLinePerParagraph(lines: readonly string[]): boolean {
  const long = lines.filter((line) => line.trim().length > LONG_LINE);
  return lines.length > 1 && long.length > 0 && long.every((line) => /[.!?…:"”’»)]$/u.test(line.trim()));
}
