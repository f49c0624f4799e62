import { segmentParagraph } from './segment-sentences.js';

export interface SentenceDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** Sentences in the new body that the old did not have, and the other way round (order kept). */
export function sentenceDiff(before: readonly string[], after: readonly string[]): SentenceDiff {
  const old = sentencesOf(before);
  const now = sentencesOf(after);
  const had = new Set(old);
  const has = new Set(now);
  return { added: now.filter((s) => !had.has(s)), removed: old.filter((s) => !has.has(s)) };
}

function sentencesOf(paragraphs: readonly string[]): string[] {
  return paragraphs
    .flatMap((p) => segmentParagraph(p))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A few lines for an admin: "+ sentence" / "- sentence", each clipped, at most `maxLines`. */
export function formatDiff(diff: SentenceDiff, maxLines = 6, maxChars = 200): string {
  const clip = (s: string) => (s.length > maxChars ? `${s.slice(0, maxChars - 1)}…` : s);
  const lines = [...diff.removed.map((s) => `- ${clip(s)}`), ...diff.added.map((s) => `+ ${clip(s)}`)];
  if (lines.length === 0) return '(the sentences are the same; only their order or spacing changed)';
  const shown = lines.slice(0, maxLines);
  if (lines.length > maxLines) shown.push(`… and ${lines.length - maxLines} more changed sentence(s)`);
  return shown.join('\n');
}
