import { appendFile, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import twitterText from 'twitter-text';
import type { Platform } from '../../domain/article.js';
import type { Clock } from '../../ports/clock.js';
import type {
  DeleteReceipt,
  OutgoingPost,
  Publisher,
  PublishOptions,
  Receipt,
} from '../../ports/publisher.js';
import {
  ensurePrivateDirectory,
  makeFilePrivate,
  type PermissionWarning,
  PRIVATE_FILE_MODE,
  warnOnStderr,
} from '../fs/private-files.js';

export interface ConsolePublisherOptions {
  /** The platform this dry run stands in for (decides how length is counted). */
  readonly platform: Platform;
  readonly channelId: string;
  /**
   * JSON Lines file that collects every post; none when omitted. It holds posts before they are
   * public, so it is made 0600 in a 0700 folder (created so, and an older one fixed at the first post).
   */
  readonly outboxPath?: string;
  /** Told when the outbox or its folder stays open to other users (default: a Node warning). */
  readonly warn?: PermissionWarning;
  /** Where the human-readable block goes (default: standard output). */
  readonly write?: (text: string) => void;
  readonly clock: Clock;
}

/** One line of the outbox file. */
export interface OutboxEntry {
  readonly channelId: string;
  readonly platform: Platform;
  readonly postId: string | null;
  readonly text: string;
  readonly replyTo: string | null;
  readonly publishedAt: string;
  readonly remoteId: string;
}

/** A line of the outbox file recording a kill's deletion of an earlier (dry-run) post. */
export interface OutboxDeletion {
  readonly channelId: string;
  readonly platform: Platform;
  readonly deleted: string;
  readonly deletedAt: string;
}

/**
 * The dry-run publisher: shows each post exactly as it would go out and appends it to an outbox file,
 * so a whole schedule can be rehearsed without keys. Remote ids are `console-<n>`, numbered on from
 * the outbox's existing lines so a restarted process does not reuse one.
 */
export function createConsolePublisher(options: ConsolePublisherOptions): Publisher {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  let counter: Promise<number> | undefined;
  let madePrivate = false;
  // Publishing is serialised so numbering and appends stay in call order.
  let queue: Promise<unknown> = Promise.resolve();

  /** Appends one line to the outbox, making it private first (once). */
  async function append(entry: OutboxEntry | OutboxDeletion): Promise<void> {
    if (options.outboxPath === undefined) return;
    if (!madePrivate) {
      const warn = options.warn ?? warnOnStderr;
      ensurePrivateDirectory(dirname(options.outboxPath), warn);
      makeFilePrivate(options.outboxPath, warn);
      madePrivate = true;
    }
    // `mode` applies when the file is created; an existing one was made private above.
    await appendFile(options.outboxPath, `${JSON.stringify(entry)}\n`, {
      encoding: 'utf8',
      mode: PRIVATE_FILE_MODE,
    });
  }

  /** Serialised with publishing, so numbering and appends stay in call order. */
  function inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = queue.then(work);
    queue = result.catch(() => undefined);
    return result;
  }

  async function publishOne(post: OutgoingPost, publishOptions: PublishOptions): Promise<Receipt> {
    counter ??= countLines(options.outboxPath);
    const next = (await counter) + 1;
    counter = Promise.resolve(next);
    const remoteId = `console-${next}`;
    const publishedAt = options.clock.now();
    write(formatBlock(options, post, publishOptions.replyTo, remoteId));
    await append({
      channelId: options.channelId,
      platform: options.platform,
      postId: post.postId ?? null,
      text: post.text,
      replyTo: publishOptions.replyTo ?? null,
      publishedAt: publishedAt.toISOString(),
      remoteId,
    });
    return { remoteId, publishedAt };
  }

  return {
    platform: options.platform,
    kind: 'console',
    supportsReplies: true,
    publish(post: OutgoingPost, publishOptions: PublishOptions = {}): Promise<Receipt> {
      return inTurn(() => publishOne(post, publishOptions));
    },
    /**
     * A kill of dry-run posts: nothing is public, so the deletion is only recorded in the outbox (the
     * kill's report says what was taken down; nothing is printed here).
     */
    delete(remoteId: string): Promise<DeleteReceipt> {
      return inTurn(async () => {
        await append({
          channelId: options.channelId,
          platform: options.platform,
          deleted: remoteId,
          deletedAt: options.clock.now().toISOString(),
        });
        return { outcome: 'deleted' };
      });
    },
  };
}

/** Length as the platform counts it: weighted for X, UTF-16 units for Telegram. */
export function platformLength(platform: Platform, text: string): number {
  return platform === 'twitter' ? twitterText.parseTweet(text).weightedLength : text.length;
}

function formatBlock(
  options: ConsolePublisherOptions,
  post: OutgoingPost,
  replyTo: string | undefined,
  remoteId: string,
) {
  const unit = options.platform === 'twitter' ? 'weighted chars' : 'UTF-16 units';
  const facts = [
    `channel ${options.channelId}`,
    options.platform,
    `${platformLength(options.platform, post.text)} ${unit}`,
    ...(post.postId === undefined ? [] : [`post ${post.postId}`]),
    ...(replyTo === undefined ? [] : [`reply to ${replyTo}`]),
    remoteId,
  ];
  const rule = '─'.repeat(60);
  return `┌${rule}\n│ ${facts.join(' · ')}\n├${rule}\n${post.text}\n└${rule}\n`;
}

async function countLines(path: string | undefined): Promise<number> {
  if (path === undefined) return 0;
  try {
    const text = await readFile(path, 'utf8');
    return text.split('\n').filter((line) => line.trim() !== '').length;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}
