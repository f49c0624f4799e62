import type { Settings } from '../../config/config-schema.js';
import type { ArticleFetcher } from '../../ports/article-fetcher.js';
import type { Clock } from '../../ports/clock.js';
import type { DocumentParser } from '../../ports/document-parser.js';
import type { Logger } from '../../ports/logger.js';
import type { PublishDeps } from '../../use-cases/publish-deps.js';
import type { SlotResult } from '../../use-cases/run-channel-slot.js';
import type { AlertDecisions } from './alert-decisions.js';
import type { PendingPreviews } from './pending-previews.js';

export interface InlineButton {
  readonly text: string;
  readonly callback_data: string;
}
export type InlineKeyboard = readonly (readonly InlineButton[])[];

/** One message: HTML (see format-html.ts) and optional inline buttons. */
export interface Reply {
  readonly html: string;
  readonly keyboard?: InlineKeyboard;
}

/**
 * What a command answers. Most answer at once; slow ones (publishing, fetching a page, downloading a
 * file) answer "working…" at once and replace that message with the result when it is ready, so the
 * bot keeps reading other commands meanwhile.
 */
export type CommandResult = Reply | { readonly working: string; readonly finish: () => Promise<Reply> };

/** The admin who sent a command or pressed a button. */
export interface Admin {
  readonly id: number;
  /** "@ada_editor (1001)" for logs and pause reasons. */
  readonly label: string;
}

/** A document attached to a message (or to the message an /add replies to). */
export interface IncomingDocument {
  readonly fileId: string;
  readonly fileName: string | undefined;
  readonly fileSize: number | undefined;
}

/** Where /add takes its article from, as the transport found it. */
export type AddSource =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'document'; readonly document: IncomingDocument }
  | { readonly kind: 'none' };

export interface CommandRequest {
  readonly name: string;
  /** Everything after the command, trimmed (newlines kept: /edit and /add take multi-line text). */
  readonly args: string;
  readonly admin: Admin;
  readonly chatId: number;
  /** Only /add reads this. */
  readonly addSource: AddSource;
}

/** Reads a Telegram file by id (getFile, then a download through the same API root). */
export type DownloadFile = (document: IncomingDocument, maxBytes: number) => Promise<Uint8Array>;

/** Everything the commands use; built once by createAdminBot. */
export interface BotServices {
  readonly deps: PublishDeps;
  readonly settings: Settings;
  readonly daemon: { runNow(channelId: string): Promise<SlotResult> };
  readonly fetcher: ArticleFetcher;
  /**
   * Reads files and pages for /add in a worker under a time and memory budget; the worker starts at
   * the first file or page and stops while idle. Built with the bot, closed by its stop().
   */
  readonly parser: DocumentParser;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly previews: PendingPreviews;
  readonly download: DownloadFile;
  /** Whether /add waits for a button press (settings.telegramBot.requireApproval). */
  readonly requireApproval: boolean;
  /** Who decided which alert (held corrections, feed articles, items gone from a feed). */
  readonly decisions: AlertDecisions;
}
