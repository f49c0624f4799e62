import { isListItem } from './article.js';
import { cutToFit } from './cut-to-fit.js';
import type { PlatformRules } from './platform-rules.js';
import { sentenceSpans } from './segment-sentences.js';

/** A sentence of the body, where it stands in its paragraph and how long the platform counts it. */
export interface Sentence {
  readonly text: string;
  readonly paragraph: number;
  /** Offsets into the paragraph, end exclusive: `paragraphs[paragraph].slice(start, end) === text`. */
  readonly start: number;
  readonly end: number;
  readonly length: number;
}

/** What the splitter packs: a sentence, or a piece of one that was longer than a post. */
export interface Unit extends Sentence {
  /** Index of the sentence it comes from (pieces of one long sentence share it). */
  readonly sentence: number;
  readonly fragment: boolean;
  readonly forced: boolean;
}

/**
 * The body's sentences, each measured once (thread mode re-packs at several budgets). A sentence
 * of more than four posts' worth of characters is not measured whole: it will be cut anyway, and
 * twitter-text is slow on long texts (cutToFit measures only post-sized prefixes).
 */
export function measureSentences(paragraphs: readonly string[], rules: PlatformRules): Sentence[] {
  const sentences: Sentence[] = [];
  paragraphs.forEach((paragraph, index) => {
    for (const [start, end] of sentenceSpans(paragraph)) {
      const text = paragraph.slice(start, end);
      const length = text.length > 4 * rules.maxLength ? Number.POSITIVE_INFINITY : rules.measure(text);
      sentences.push({ text, start, end, paragraph: index, length });
    }
  });
  return sentences;
}

/** Finds each piece (exact substrings, in order) in `text` from `from` on. */
export function locatePieces(
  text: string,
  pieces: readonly string[],
  from: number,
): { text: string; start: number; end: number }[] {
  let cursor = from;
  return pieces.map((piece) => {
    const at = text.indexOf(piece, cursor);
    if (at === -1)
      throw new Error(`internal: a sentence is not a substring of its paragraph: ${piece.slice(0, 40)}`);
    cursor = at + piece.length;
    return { text: piece, start: at, end: cursor };
  });
}

/**
 * Sentence units of the body, with any sentence longer than its budget cut into pieces that fit.
 * `budgetOf(index)` is the room for the unit at that position; only the very first unit may have
 * less room than the others (the first post of a thread carries the headline).
 */
export function toUnits(
  sentences: readonly Sentence[],
  budget: number,
  rules: PlatformRules,
  firstBudget = budget,
): Unit[] {
  const units: Unit[] = [];
  sentences.forEach((sentence, index) => {
    const room = units.length === 0 ? Math.min(firstBudget, budget) : budget;
    if (sentence.length <= room) {
      units.push({
        text: sentence.text,
        paragraph: sentence.paragraph,
        start: sentence.start,
        end: sentence.end,
        length: sentence.length,
        sentence: index,
        fragment: false,
        forced: false,
      });
      return;
    }
    const cut = cutToFit(sentence.text, room, rules.measure);
    if (cut.spans.length === 1) {
      // Not measured whole because it was long in characters, but it fits (URLs count 23 on X).
      units.push({
        ...sentence,
        sentence: index,
        length: rules.measure(sentence.text),
        fragment: false,
        forced: false,
      });
      return;
    }
    // After a short first piece (under the headline), the rest is cut again at the full budget.
    let spans = cut.spans;
    let forced = cut.forced;
    if (room < budget) {
      const from = cut.spans[1]![0];
      const rest = cutToFit(sentence.text.slice(from), budget, rules.measure);
      spans = [cut.spans[0]!, ...rest.spans.map(([s, e]) => [s + from, e + from] as [number, number])];
      forced ||= rest.forced;
    }
    for (const [start, end] of spans) {
      const text = sentence.text.slice(start, end);
      units.push({
        text,
        paragraph: sentence.paragraph,
        start: sentence.start + start,
        end: sentence.start + end,
        length: rules.measure(text),
        sentence: index,
        fragment: true,
        forced,
      });
    }
  });
  return units;
}

/**
 * How two units are joined in a post: a space inside a paragraph, one newline between list items,
 * a blank line between paragraphs.
 */
export function separatorBetween(previous: Unit, next: Unit, paragraphs: readonly string[]): string {
  if (previous.paragraph === next.paragraph) return ' ';
  return isListItem(paragraphs[next.paragraph]!) && isListItem(paragraphs[previous.paragraph]!)
    ? '\n'
    : '\n\n';
}

export function joinUnits(units: readonly Unit[], paragraphs: readonly string[]): string {
  let out = '';
  units.forEach((unit, i) => {
    if (i > 0) out += separatorBetween(units[i - 1]!, unit, paragraphs);
    out += unit.text;
  });
  return out;
}
