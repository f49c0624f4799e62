import type { Logger } from '../../ports/logger.js';
import type { AdminAlert, Notifier } from '../../ports/notifier.js';
import type { PostStore } from '../../ports/post-store.js';
import type { Reply } from './bot-types.js';
import { encodeCallback } from './callback-data.js';
import { bold, esc, escClipped } from './format-html.js';

/** Sends one message; the bot's telegraf client in production. */
export type SendReply = (chatId: number | string, reply: Reply) => Promise<unknown>;

export interface TelegramNotifierOptions {
  readonly send: SendReply;
  /** Each admin's private chat (their user id) plus settings.telegramBot.alertChatIds. */
  readonly chatIds: readonly (number | string)[];
  /** To quote the post an `unknown` alert is about. */
  readonly store: PostStore;
  readonly logger: Logger;
}

const HEADINGS: Readonly<Record<AdminAlert['kind'], string>> = {
  auth: '🔑 Credentials or permissions problem: channel paused',
  failed: '❌ A post failed for good',
  unknown: '❓ Did this post arrive?',
  'rate-limited': '⏳ Channel rate limited for more than an hour',
  info: 'ℹ️ quotecast',
};

/**
 * Delivers admin alerts to the admin chats. An `unknown` post (the process died while sending it)
 * comes with "mark as sent" / "send again" buttons that resolve it. One chat failing (an admin who
 * never opened a chat with the bot cannot be written to) does not stop the others; it is logged.
 */
export function createTelegramNotifier(options: TelegramNotifierOptions): Notifier {
  const chats = [...new Set(options.chatIds.map(String))];
  return {
    async alert(alert) {
      const reply = formatAlert(alert, options.store);
      for (const chat of chats) {
        try {
          await options.send(chat, reply);
        } catch (error) {
          options.logger.warn(
            'could not deliver an admin alert to a chat (has that admin opened a chat with the bot?)',
            {
              chat,
              kind: alert.kind,
              error: (error as Error).message,
            },
          );
        }
      }
    },
  };
}

export function formatAlert(alert: AdminAlert, store: PostStore): Reply {
  const lines = [bold(HEADINGS[alert.kind]), '', esc(alert.text)];
  if (alert.kind !== 'unknown' || alert.postId === undefined) return { html: lines.join('\n') };
  const post = store.getPost(alert.postId);
  if (post) lines.push('', bold('The post:'), escClipped(post.text, 2500));
  return {
    html: lines.join('\n'),
    keyboard: [
      [
        {
          text: '✅ It arrived: mark as sent',
          callback_data: encodeCallback({ kind: 'unknown-post', decision: 'sent', postId: alert.postId }),
        },
        {
          text: '🔁 Send again',
          callback_data: encodeCallback({ kind: 'unknown-post', decision: 'resend', postId: alert.postId }),
        },
      ],
    ],
  };
}
