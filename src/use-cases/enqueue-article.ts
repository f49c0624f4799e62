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

export interface EnqueueArticleOutput {
  readonly result: EnqueueResult;
  readonly splits: readonly ChannelSplit[];
}

/** Splits the article for every channel and queues all of it in one transaction. */
export function enqueueArticle(store: PostStore, input: EnqueueArticleInput): EnqueueArticleOutput {
  const splits = splitForChannels(input.article, input.channels, input.mode);
  const result = store.enqueueArticle(
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
