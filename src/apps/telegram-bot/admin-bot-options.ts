import type { Settings } from '../../config/config-schema.js';
import type { ArticleFetcher } from '../../ports/article-fetcher.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { Notifier } from '../../ports/notifier.js';
import type { Pacer } from '../../use-cases/pace-publisher.js';
import type { PublishDeps } from '../../use-cases/publish-deps.js';
import type { SlotResult } from '../../use-cases/run-channel-slot.js';
import type { Backoff } from './keep-polling.js';

export interface AdminBotOptions {
  /** The bot's token from @BotFather; never logged or shown. */
  readonly token: string;
  /** Bot API root (a local Bot API server, or the loopback fake in tests); default api.telegram.org. */
  readonly apiRoot?: string;
  /** The same deps the daemon publishes with: the bot calls the same use cases. */
  readonly deps: PublishDeps;
  readonly settings: Settings;
  /** /next runs a slot through the daemon, so it never overlaps a scheduled one. */
  readonly daemon: { runNow(channelId: string): Promise<SlotResult> };
  /** Numeric Telegram user ids allowed to use the bot (TELEGRAM_ADMIN_IDS). */
  readonly adminIds: readonly number[];
  /** Fetches pages for `/add URL` (createHttpFetcher with the input limits). */
  readonly fetcher: ArticleFetcher;
  readonly logger: Logger;
  readonly clock: Clock;
  /**
   * The token's pacer, shared with the Telegram channels that post with the same token (the runtime's
   * pacerFor), so the bot's replies and alerts never push a channel post into a 429. Default: its own.
   */
  readonly pacer?: Pacer;
  /** How long an /add preview's buttons work (default a day). */
  readonly previewTtlMs?: number;
  /**
   * A stranger gets one refusal, then silence for this long (default an hour), and at most 20
   * strangers a minute get one at all, so nobody can use the bot to spam a chat or spend the token's
   * budget. The log has one line per stranger per hour and counts the rest (see refusal-gate.ts).
   */
  readonly refusalCooldownMs?: number;
  /** Longest stop() waits for the poll to end and replies in flight (default 10 s). */
  readonly stopTimeoutMs?: number;
  /** Waits between attempts to reach Telegram, on `clock` (default 1 s doubling up to 5 minutes). */
  readonly backoff?: Backoff;
  /** Waits between attempts of one message after a 5xx or a network failure (default 1 s doubling to 1 min). */
  readonly sendBackoff?: Backoff;
  /** Waits before the alert courier tries again after a round that could not deliver (default 30 s doubling to 10 min). */
  readonly alertBackoff?: Backoff;
  /** Longest a login call (getMe, deleteWebhook) may take before it counts as a failure (default 20 s). */
  readonly requestTimeoutMs?: number;
}

export interface AdminBot {
  /**
   * Logs in (getMe), registers the command list and long-polls, for as long as the bot runs: when
   * Telegram cannot be reached, at start or later, it tries again after a backoff wait and logs each
   * failure. Resolves `running` once the first poll went through, or `retrying` when the first attempt
   * failed and the next one waits. Rejects when Telegram refuses the token (401/404): no retry cures that.
   */
  start(): Promise<'running' | 'retrying'>;
  /** Stops polling (a backoff wait or a long poll ends at once) and waits (bounded) for replies in flight. */
  stop(): Promise<void>;
  /**
   * Wakes the bot's alert courier, which delivers the outbox's alerts to the admins' private chats and
   * settings.telegramBot.alertChatIds (see alert-courier.ts); give it to runtime.setNotifier.
   */
  readonly notifier: Notifier;
}
