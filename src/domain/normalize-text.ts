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
      // Zero-width junk, and the noncharacters U+FFFE and U+FFFF, for which X refuses a post.
      .replace(/[\u200B\u2060\uFEFF\u00AD\uFFFE\uFFFF]/g, '')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
      .replace(/[\u0000-\u0008\u000E-\u001F\u007F-\u009F]/g, '')
      .replace(/\u2028|\u2029/g, '\n')
      .replace(/(\S) {2,}/g, '$1 ')
      .replace(/ +(?=\n|$)/g, '')
  );
}

/** Collapses a block of lines into one paragraph line with single spaces. */
export function toParagraph(block: string): string {
  // Most blocks already are one line with single spaces: looking costs nothing, while replacing
  // every single space of a 5 MB paragraph built a million-part string (hundreds of MB at peak).
  return (NEEDS_COLLAPSE.test(block) ? block.replace(/\s+/g, ' ') : block).trim();
}

/** Whitespace that is not a single space: a run of two, or a newline, tab or other space. */
const NEEDS_COLLAPSE = /\s\s|[^\S ]/;

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
  for (const block of splitAtBlankLines(text)) {
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
 * `text.split(/\n(?: *\n)+/)`, by hand: on a 5 MB paragraph V8 took half a second and a few hundred
 * MB for that regular expression split (on some string representations), and this takes a few ms.
 */
export function splitAtBlankLines(text: string): string[] {
  const blocks: string[] = [];
  let start = 0;
  let newline = text.indexOf('\n');
  while (newline !== -1) {
    // The separator is this newline and every following line of spaces that a newline ends.
    let end = -1;
    for (let next = newline + 1; ; ) {
      let i = next;
      while (text.charCodeAt(i) === 0x20) i++;
      if (text.charCodeAt(i) !== 0x0a) break;
      end = i + 1;
      next = end;
    }
    if (end === -1) {
      newline = text.indexOf('\n', newline + 1);
      continue;
    }
    blocks.push(text.slice(start, newline));
    start = end;
    newline = text.indexOf('\n', end);
  }
  blocks.push(text.slice(start));
  return blocks;
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
