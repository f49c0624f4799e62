import { type Telegram, TelegramError } from 'telegraf';
import type { Update, UserFromGetMe } from 'telegraf/types';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';

/**
 * Where the admin bot stands. `retrying`: Telegram could not be reached (or refused for a while) and
 * the next attempt waits on the clock; `given-up`: Telegram refused the token, which no retry cures.
 */
export type BotState = 'running' | 'retrying' | 'given-up' | 'stopped';

export interface Backoff {
  /** Wait after the first failure; doubles after each further one (default 1 s). */
  readonly initialMs: number;
  /** Longest wait between attempts (default 5 minutes). */
  readonly maxMs: number;
  /** Each wait is spread by ± this fraction, so restarted daemons do not retry in step (default 0.2). */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 300_000, jitter: 0.2 };

export interface KeepPollingOptions {
  readonly telegram: Telegram;
  readonly allowedUpdates: readonly ('message' | 'callback_query')[];
  /** After each successful getMe (the first start and every restart). */
  readonly onConnected: (me: UserFromGetMe, signal: AbortSignal) => Promise<void>;
  readonly handleUpdate: (update: Update) => Promise<void>;
  /** Telegram answered 409 Conflict: another process polls this token (or a webhook is set). */
  readonly onConflict?: (detail: string) => void;
  /** Every change of state; the first one settles the bot's start(). */
  readonly onState: (state: BotState, detail: string) => void;
  readonly logger: Logger;
  /** Backoff waits run on this clock, so tests drive them. */
  readonly clock: Clock;
  readonly random: () => number;
  /** Aborting it ends the loop at once: the wait or the long poll in flight is cut short. */
  readonly signal: AbortSignal;
  readonly backoff?: Backoff;
  /** Longest a getMe, deleteWebhook or setMyCommands may take, and the grace on a long poll (default 20 s). */
  readonly requestTimeoutMs?: number;
  /** How long Telegram may hold a getUpdates call open when nothing happens (default 50 s). */
  readonly longPollSeconds?: number;
}

/**
 * Logs in, clears any webhook and long-polls, for as long as `signal` is not aborted. Any failure
 * (Telegram down, timeouts, 5xx, 429, a 409 conflict) sends it back to logging in after a backoff
 * wait on the clock; each failure is one log line. A 401 or 404 (a wrong token or API address) is a
 * configuration error: logged once, and the loop ends for good.
 *
 * This replaces telegraf's `bot.launch()`, which gives up when getMe or deleteWebhook fail at start,
 * retries a failing getUpdates every 5 s of wall time without a word (and without letting stop() cut
 * that wait short), and rejects for good on anything else.
 */
export async function keepPolling(options: KeepPollingOptions): Promise<void> {
  const { telegram, logger, clock, signal } = options;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const requestTimeoutMs = options.requestTimeoutMs ?? 20_000;
  const longPollSeconds = options.longPollSeconds ?? 50;
  /** Failed attempts since polling last worked. */
  let failures = 0;
  /** getMe and deleteWebhook went through since the last failure. */
  let connected = false;
  /** A getUpdates call went through since the last failure. */
  let running = false;
  let everRan = false;
  let botName = '';
  /** The next update wanted; Telegram forgets every update below the offset of a call that reached it. */
  let offset = 0;
  let confirmed = 0;

  while (!signal.aborted) {
    try {
      if (!connected) {
        const me = await withDeadline(signal, requestTimeoutMs, (s) =>
          telegram.callApi('getMe', {}, { signal: apiSignal(s) }),
        );
        botName = `@${me.username}`;
        await options.onConnected(me, signal);
        await withDeadline(signal, requestTimeoutMs, (s) =>
          telegram.callApi('deleteWebhook', {}, { signal: apiSignal(s) }),
        );
        connected = true;
      }
      // The first call after (re)connecting does not wait, so "started" is known at once.
      const timeout = running ? longPollSeconds : 0;
      const updates = await withDeadline(signal, timeout * 1000 + requestTimeoutMs, (s) =>
        telegram.callApi(
          'getUpdates',
          { timeout, offset, allowed_updates: [...options.allowedUpdates] },
          { signal: apiSignal(s) },
        ),
      );
      confirmed = offset;
      if (!running) {
        running = true;
        const attempts = failures + 1;
        const fields = { bot: botName, attempts };
        if (!everRan)
          logger.info(
            attempts === 1 ? 'admin bot started' : `admin bot started after ${attempts} attempts`,
            fields,
          );
        else logger.info(`admin bot polling again after ${attempts} attempts`, fields);
        everRan = true;
        failures = 0;
        options.onState('running', botName);
      }
      for (const update of updates) {
        offset = Math.max(offset, update.update_id + 1);
        // telegraf's handleUpdate reports middleware errors through bot.catch; this is the last net.
        await options
          .handleUpdate(update)
          .catch((error: unknown) =>
            logger.error('admin bot: an update could not be handled', { error: readable(error) }),
          );
      }
    } catch (error) {
      if (signal.aborted) break;
      const failure = failureOf(error);
      if (error instanceof TelegramError && error.code === 409) options.onConflict?.(failure.text);
      const wasRunning = running;
      connected = false;
      running = false;
      if (failure.permanent) {
        logger.error(
          `admin bot: ${failure.text}; ${failure.remedy}. It will not try again until quotecast restarts; publishing goes on without it`,
        );
        options.onState('given-up', `${failure.text}; ${failure.remedy}`);
        return;
      }
      failures += 1;
      const delayMs = Math.max(backoffDelay(backoff, failures, options.random), failure.retryAfterMs ?? 0);
      logger.warn(
        `admin bot: ${wasRunning ? 'polling stopped: ' : ''}${failure.text}; ${wasRunning ? 'restarting' : 'retrying'} in ${formatDelay(delayMs)}`,
        { attempt: failures },
      );
      options.onState('retrying', failure.text);
      await clock.sleep(delayMs, signal);
    }
  }
  if (offset > confirmed) await confirmOffset(telegram, offset, requestTimeoutMs);
  options.onState('stopped', '');
}

/** The wait after the `failures`-th failure in a row: initial × 2^(failures-1), capped, with jitter. */
export function backoffDelay(backoff: Backoff, failures: number, random: () => number): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failures - 1));
  const spread = 1 - backoff.jitter + 2 * backoff.jitter * random();
  return Math.round(Math.min(backoff.maxMs, base * spread));
}

/** "800 ms", "4 s", "2 min 8 s". */
export function formatDelay(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const rest = seconds % 60;
  return `${Math.floor(seconds / 60)} min${rest ? ` ${rest} s` : ''}`;
}

/** Tells Telegram the updates handled so far, so the next start does not get them again. */
async function confirmOffset(telegram: Telegram, offset: number, timeoutMs: number): Promise<void> {
  const never = new AbortController().signal;
  await withDeadline(never, Math.min(timeoutMs, 2000), (s) =>
    telegram.callApi('getUpdates', { offset, limit: 1, timeout: 0 }, { signal: apiSignal(s) }),
  ).catch(() => {});
}

type ApiSignal = NonNullable<NonNullable<Parameters<Telegram['callApi']>[2]>['signal']>;

/** telegraf types its signal as the abort-controller polyfill's; node-fetch takes Node's own. */
export function apiSignal(signal: AbortSignal): ApiSignal {
  return signal as unknown as ApiSignal;
}

class RequestTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'RequestTimeout';
  }
}

/**
 * Runs one API call with its own deadline (network time: a wall-clock timer, cleared when the call
 * ends) that also ends when `stop` aborts.
 */
export async function withDeadline<T>(
  stop: AbortSignal,
  timeoutMs: number,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onStop = () => controller.abort();
  stop.addEventListener('abort', onStop, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    if (stop.aborted) controller.abort();
    return await call(controller.signal);
  } catch (error) {
    if (timedOut && !stop.aborted) throw new RequestTimeout(timeoutMs);
    throw error;
  } finally {
    clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }
}

interface Failure {
  /** What happened, readable, without the URL (it holds the token). */
  readonly text: string;
  /** A wrong token or address: retrying cannot help. */
  readonly permanent: boolean;
  readonly remedy: string;
  readonly retryAfterMs?: number;
}

/** Turns what telegraf or node-fetch threw into one readable reason. */
export function failureOf(error: unknown): Failure {
  const transient = (text: string, retryAfterMs?: number): Failure => ({
    text,
    permanent: false,
    remedy: '',
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
  if (error instanceof TelegramError) {
    const code = error.code;
    const description = typeof error.description === 'string' ? error.description : '';
    if (code === 401)
      return {
        text: `Telegram refused the bot token (401 ${description || 'Unauthorized'})`,
        permanent: true,
        remedy: 'check TELEGRAM_BOT_TOKEN (or the Telegram channel token), as @BotFather gave it',
      };
    if (code === 404)
      return {
        text: `Telegram answered 404 ${description || 'Not Found'}`,
        permanent: true,
        remedy: 'the bot token is malformed or TELEGRAM_API_ROOT points at the wrong place',
      };
    if (code === 409)
      return transient(
        'another process polls this bot token, or a webhook is set (409 Conflict); run one quotecast start per token',
      );
    if (code === 429) {
      const after = Number(error.parameters?.retry_after);
      return transient(
        `Telegram asked to slow down (429${Number.isFinite(after) ? `, retry after ${after} s` : ''})`,
        Number.isFinite(after) ? after * 1000 : undefined,
      );
    }
    return transient(`Telegram answered ${code}${description ? ` ${description}` : ''}`);
  }
  if (error instanceof RequestTimeout)
    return transient(`Telegram did not answer within ${formatDelay(error.timeoutMs)}`);
  const { name, code, type } = (error ?? {}) as { name?: unknown; code?: unknown; type?: unknown };
  if (name === 'FetchError') {
    if (type === 'request-timeout') return transient('Telegram did not answer in time');
    return transient(`Telegram unreachable (${typeof code === 'string' ? code : 'network error'})`);
  }
  // A proxy's HTML error page where Telegram's JSON should be.
  if (error instanceof SyntaxError) return transient('Telegram answered with something that is not JSON');
  return transient(`unexpected error (${readable(error)})`);
}

/** An error's message without URLs (node-fetch quotes the URL, and the URL holds the bot token). */
function readable(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/https?:\/\/\S+/g, '[url]').slice(0, 200);
}
