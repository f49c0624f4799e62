import { canonicalUrl } from '../../domain/canonical-url.js';
import type { ChannelBatch, EnqueueResult } from '../../ports/post-store.js';

/** An article the duplicate check found: same content, or same canonical URL. */
export interface CandidateRow {
  readonly id: number;
  readonly killed_at: number | null;
  readonly killed_by: string | null;
}

/** What enqueueArticle does once the candidates are known (both engines run the same rule). */
export type EnqueueDecision =
  | { readonly kind: 'refuse'; readonly result: Extract<EnqueueResult, { kind: 'duplicate' }> }
  /** Insert the posts under `reuse` (an article row with no clash) or under a new article row. */
  | { readonly kind: 'insert'; readonly reuse: number | undefined };

/** The form the duplicate check matches URLs in; a URL that is not http(s) matches only itself. */
export function canonicalOf(url: string | null): string | null {
  return url === null ? null : (canonicalUrl(url) ?? url);
}

/** The channels of the batches; one channel twice is a caller's bug (the seqs would interleave). */
export function batchChannels(batches: readonly ChannelBatch[]): string[] {
  const wanted = batches.map((batch) => batch.channelId);
  if (new Set(wanted).size !== wanted.length)
    throw new RangeError(`enqueueArticle: a channel appears in more than one batch (${wanted.join(', ')})`);
  return wanted;
}

/**
 * `candidates` in the order the duplicate check ranks them (same content first, then by id), each
 * with the channels it has posts on.
 */
export function decideEnqueue(
  candidates: readonly CandidateRow[],
  channelsOf: (articleId: number) => readonly string[],
  wanted: readonly string[],
  force: boolean,
): EnqueueDecision {
  // The newsroom pulled it: not again, on any channel, unless forced (and then as a new article).
  const killed = candidates.find((row) => row.killed_at !== null);
  if (killed && !force) {
    return {
      kind: 'refuse',
      result: {
        kind: 'duplicate',
        articleId: killed.id,
        channelIds: wanted,
        killed: { at: new Date(killed.killed_at!), by: killed.killed_by },
      },
    };
  }
  let duplicateOf: number | undefined;
  const clashing = new Set<string>();
  for (const candidate of candidates) {
    for (const channel of channelsOf(candidate.id)) {
      if (!wanted.includes(channel)) continue;
      duplicateOf ??= candidate.id;
      clashing.add(channel);
    }
  }
  if (duplicateOf !== undefined && !force) {
    return {
      kind: 'refuse',
      result: {
        kind: 'duplicate',
        articleId: duplicateOf,
        channelIds: wanted.filter((c) => clashing.has(c)),
      },
    };
  }
  // A forced repeat gets its own article row: reusing the old one would give a channel two posts
  // with the same seq, interleaving the two copies in publishing order. A killed article's row is
  // never reused: its posts could not go out.
  const reuse = duplicateOf === undefined ? candidates.find((row) => row.killed_at === null)?.id : undefined;
  return { kind: 'insert', reuse };
}
