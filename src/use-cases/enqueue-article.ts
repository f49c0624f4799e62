import { createHash } from 'node:crypto';
import type { ChannelSettings } from '../config/config-schema.js';
import type { Article, PostingMode } from '../domain/article.js';
import type { EnqueueResult, PostStore } from '../ports/post-store.js';
import { type ChannelSplit, splitForChannels } from './prepare-article.js';

/** Same body, same hash: whitespace and title changes do not make an article new. */
export function articleHash(article: Article): string {
  return createHash('sha256').update(article.paragraphs.join('\n')).digest('hex');
}

export interface EnqueueArticleInput {
  readonly article: Article;
  readonly channels: readonly ChannelSettings[];
  readonly mode?: PostingMode;
  readonly approved: boolean;
  readonly force?: boolean;
  readonly now: Date;
}

/** A thread with more parts than its channel may post in a day: it could never go out whole. */
export interface ThreadOverCap {
  readonly channelId: string;
  readonly parts: number;
  readonly dailyCap: number;
  /** The channel's length target, and the platform's limit it may be raised to (fewer parts). */
  readonly targetLength: number;
  readonly maxLength: number;
}

export type EnqueueArticleResult =
  | EnqueueResult
  /** Nothing was queued on any channel: every entry point shows `message` and stops. */
  | {
      readonly kind: 'thread-over-cap';
      readonly problems: readonly ThreadOverCap[];
      readonly message: string;
    };

export interface EnqueueArticleOutput {
  readonly result: EnqueueArticleResult;
  readonly splits: readonly ChannelSplit[];
}

/**
 * Splits the article for every channel and queues all of it in one transaction. A thread goes out
 * whole at one slot within the channel's daily cap, so a thread longer than the cap is refused here,
 * before anything is stored: queued, it would wait forever.
 */
export async function enqueueArticle(
  store: PostStore,
  input: EnqueueArticleInput,
): Promise<EnqueueArticleOutput> {
  const splits = splitForChannels(input.article, input.channels, input.mode);
  const problems = threadsOverCap(splits, input.mode);
  if (problems.length > 0)
    return {
      result: { kind: 'thread-over-cap', problems, message: threadOverCapMessage(problems) },
      splits,
    };
  const result = await store.enqueueArticle(
    {
      contentHash: articleHash(input.article),
      title: input.article.title,
      ...(input.article.url ? { url: input.article.url } : {}),
      ...(input.article.byline ? { byline: input.article.byline } : {}),
    },
    splits.map(({ channel, result: split }) => ({
      channelId: channel.id,
      mode: input.mode ?? channel.mode,
      posts: split.selected.map((p) => ({ text: p.text, length: p.length })),
    })),
    { now: input.now, approved: input.approved, ...(input.force ? { force: true } : {}) },
  );
  return { result, splits };
}

/**
 * The channels on which this split is a thread with more parts than the channel's daily cap. For
 * previews (the bot's /add, `publish`), which split before they queue and can warn at once.
 */
export function threadsOverCap(splits: readonly ChannelSplit[], mode?: PostingMode): ThreadOverCap[] {
  return splits
    .filter(
      ({ channel, result }) =>
        (mode ?? channel.mode) === 'thread' && result.selected.length > channel.dailyCap,
    )
    .map(({ channel, rules, result }) => ({
      channelId: channel.id,
      parts: result.selected.length,
      dailyCap: channel.dailyCap,
      targetLength: channel.targetLength,
      maxLength: rules.maxLength,
    }));
}

/**
 * One line (a sentence per channel), naming the thread's length, the cap and the fix: "x-main: a
 * thread of 21 parts is longer than the daily cap of 17 posts, so it could never go out whole; raise
 * dailyCap …".
 */
export function threadOverCapMessage(problems: readonly ThreadOverCap[]): string {
  return problems
    .map((p) => {
      const longer =
        p.targetLength < p.maxLength
          ? `, or targetLength (now ${p.targetLength}, at most ${p.maxLength}) for fewer, longer parts`
          : ` (targetLength is already ${p.maxLength}, the platform's limit)`;
      return `${p.channelId}: a thread of ${p.parts} parts is longer than the daily cap of ${p.dailyCap} posts, so it could never go out whole; raise dailyCap to ${p.parts} or more${longer}`;
    })
    .join('. ');
}
