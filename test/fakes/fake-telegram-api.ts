import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLoopbackServer } from './loopback-server.js';

/**
 * A loopback stand-in for the Telegram Bot API, served by a real `node:http` server on 127.0.0.1.
 * Point telegraf at it with `new Telegram(token, { apiRoot: fake.url })` (or the same `telegram`
 * option of `new Telegraf`). It answers the methods quotecast uses, records every call and sent
 * message, lets a test script incoming updates, and fails on request.
 */

export const DEFAULT_FAKE_TELEGRAM_TOKEN = '123456789:AAFakeTelegramTokenForLoopbackTests000';
export const DEFAULT_FAKE_BOT = {
  id: 123456789,
  is_bot: true,
  first_name: 'Quotecast',
  username: 'quotecast_bot',
};
export const DEFAULT_FAKE_ADMIN = { id: 1001, is_bot: false, first_name: 'Ada', username: 'ada_editor' };

export interface FakeUser {
  readonly id: number;
  readonly is_bot: boolean;
  readonly first_name: string;
  readonly username?: string;
}

export interface FakeChat {
  readonly id: number;
  readonly type: 'private' | 'group' | 'supergroup' | 'channel';
  readonly title?: string;
  readonly username?: string;
  readonly first_name?: string;
}

export interface FakeTelegramCall {
  readonly token: string;
  readonly method: string;
  /** JSON, form or multipart fields; multipart files arrive as `{ fileName, content }`. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly at: Date;
}

export interface FakeUploadedFile {
  readonly fileName: string;
  readonly content: Buffer;
}

export interface FakeSentMessage {
  readonly method: string;
  /** The `chat_id` exactly as sent, as a string (`@channel` or a number). */
  readonly chatId: string;
  readonly messageId: number;
  /** Text (or caption) as it arrived, markup and escapes included; updated by editMessageText. */
  text: string;
  /** What readers see: HTML tags removed and entities decoded when `parseMode` is HTML. */
  shownText: string;
  parseMode: string | undefined;
  replyMarkup: unknown;
  /** From `reply_parameters.message_id` or `reply_to_message_id`. */
  readonly replyTo: number | undefined;
  readonly disableNotification: boolean | undefined;
  readonly linkPreviewOptions: unknown;
  readonly disableWebPagePreview: boolean | undefined;
  /** sendDocument: an uploaded file, or the file id / URL that was passed. */
  readonly document: FakeUploadedFile | string | undefined;
  readonly params: Readonly<Record<string, unknown>>;
  readonly edits: { readonly text?: string; readonly replyMarkup?: unknown; readonly at: Date }[];
  deleted: boolean;
  readonly at: Date;
}

export interface FakeFile {
  readonly fileId: string;
  readonly fileUniqueId: string;
  readonly filePath: string;
  readonly fileName: string;
  readonly mimeType: string | undefined;
  readonly content: Buffer;
}

export type FakeTelegramFault =
  /** 429 "Too Many Requests: retry after N" with `parameters.retry_after` (default 3). */
  | { readonly kind: 'rate-limit'; readonly retryAfter?: number }
  /** 5xx (default 500). */
  | { readonly kind: 'server-error'; readonly status?: number }
  /** Never answer (until `close()`). */
  | { readonly kind: 'hang' }
  /** Destroy the socket without answering. */
  | { readonly kind: 'drop' }
  /**
   * Do the call (the message is sent), then destroy the socket (`drop`) or never answer (`hang`):
   * the bot cannot know it went through.
   */
  | { readonly kind: 'commit-then-drop' }
  | { readonly kind: 'commit-then-hang' }
  /** 401 Unauthorized, as for a revoked token. */
  | { readonly kind: 'unauthorized' }
  /** 400 "Bad Request: chat not found". */
  | { readonly kind: 'chat-not-found' }
  /**
   * `kicked` and `not-member` are 403s; `not-enough-rights` is the 400 Telegram sends when the bot
   * is in the chat but may not post.
   */
  | { readonly kind: 'forbidden'; readonly variant?: 'kicked' | 'not-member' | 'not-enough-rights' }
  /** 400 with this description (default "Bad Request: message is too long"). */
  | { readonly kind: 'bad-request'; readonly description?: string }
  /** Anything else, verbatim. */
  | { readonly kind: 'respond'; readonly status: number; readonly body: unknown };

export interface FailNextOptions {
  /** Which calls to fail (default: any). */
  readonly match?: (call: FakeTelegramCall) => boolean;
  /** How many matching calls to fail (default 1). */
  readonly times?: number;
  readonly fault: FakeTelegramFault;
}

export interface FakeTelegramApiOptions {
  readonly port?: number;
  /** Accepted bot tokens (default: DEFAULT_FAKE_TELEGRAM_TOKEN). Others get 401. */
  readonly tokens?: readonly string[];
  readonly bot?: FakeUser;
  /** When set, `chat_id`s outside this list get 400 "chat not found". */
  readonly knownChats?: readonly (string | number)[];
  /** Delay before every answer, in ms. */
  readonly latencyMs?: number;
  /** Longest a getUpdates call is held when nothing is queued (default 1000 ms, whatever `timeout` says). */
  readonly maxLongPollMs?: number;
  /** Sliding one-second limits on send* methods; past them the fake answers 429 with retry_after. */
  readonly rateLimit?: {
    readonly perChatPerSecond?: number;
    readonly overallPerSecond?: number;
    /**
     * The window's length in ms (default 1000, Telegram's second). A test that scales the pacer's
     * limits down by a factor scales this window by the same factor, so Telegram's rules hold at a
     * faster pace; `retry_after` is still whole seconds, as Telegram sends it.
     */
    readonly windowMs?: number;
  };
  /**
   * false: every answer says `Connection: close`, so the client keeps no idle connection to reuse.
   * Telegram going away (`close()`) then meets each later call with a refused connection, never with
   * a reset on a pooled socket whose end the client has not read yet (default true: keep-alive).
   */
  readonly keepAlive?: boolean;
  readonly now?: () => Date;
}

export interface PushMessageInput {
  readonly from?: FakeUser;
  /** Default: the private chat with `from`. */
  readonly chat?: FakeChat;
  readonly text?: string;
  readonly caption?: string;
  /** A document; with `content` the file is registered for getFile and download. */
  readonly document?: {
    readonly fileId?: string;
    readonly fileName?: string;
    readonly mimeType?: string;
    readonly content?: string | Buffer;
  };
  /**
   * The message this one replies to. Like Telegram, the update then carries the whole earlier
   * message (text, document, sender) when the fake knows it: one pushed before, or one the bot sent.
   */
  readonly replyToMessageId?: number;
}

export interface PushCallbackQueryInput {
  readonly from?: FakeUser;
  readonly data: string;
  /** The bot message whose button was pressed. */
  readonly message?: FakeSentMessage;
  readonly id?: string;
}

export interface FakeTelegramApi {
  start(): Promise<{ url: string }>;
  close(): Promise<void>;
  readonly url: string;
  readonly calls: readonly FakeTelegramCall[];
  readonly sentMessages: readonly FakeSentMessage[];
  /** How many 429 answers the fake gave (injected and from `rateLimit`). */
  readonly rateLimitedCount: number;
  failNext(options: FailNextOptions): void;
  /** Queue a user message as an update; returns the Bot API message object. */
  pushMessage(input: PushMessageInput): Record<string, unknown>;
  /** Queue a button press; returns the callback query id. */
  pushCallbackQuery(input: PushCallbackQueryInput): string;
  addFile(
    fileId: string,
    content: string | Buffer,
    options?: { fileName?: string; mimeType?: string },
  ): FakeFile;
  /** Resolves with the first sent message (already recorded or future) that matches. */
  waitFor(predicate: (message: FakeSentMessage) => boolean, timeoutMs?: number): Promise<FakeSentMessage>;
  /** Resolves with the first call (already recorded or future) that matches. */
  waitForCall(predicate: (call: FakeTelegramCall) => boolean, timeoutMs?: number): Promise<FakeTelegramCall>;
  /** Called for every message the bot sends; returns an unsubscribe function. */
  onMessage(listener: (message: FakeSentMessage) => void): () => void;
  /**
   * Makes a sent message `ms` older than it is (on the fake's clock), e.g. past the 48 hours after
   * which Telegram refuses to delete a bot's message outside a channel.
   */
  ageMessage(chatId: string, messageId: number, ms: number): void;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

interface FaultRule {
  readonly match: (call: FakeTelegramCall) => boolean;
  remaining: number;
  readonly fault: FakeTelegramFault;
}

interface Waiter<T> {
  readonly predicate: (item: T) => boolean;
  readonly resolve: (item: T) => void;
}

type Params = Readonly<Record<string, unknown>>;

const MAX_TEXT_LENGTH = 4096;
/** How long after sending a bot may still delete its message in a group or private chat. */
const DELETE_WINDOW_MS = 48 * 3_600_000;
const MAX_CAPTION_LENGTH = 1024;
/** Tags Telegram's HTML parse mode accepts. */
const HTML_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-emoji',
]);
/** Params that arrive as JSON strings in form and multipart bodies. */
const JSON_PARAMS = [
  'reply_markup',
  'reply_parameters',
  'link_preview_options',
  'commands',
  'allowed_updates',
  'entities',
];

export function createFakeTelegramApi(options: FakeTelegramApiOptions = {}): FakeTelegramApi {
  const now = options.now ?? (() => new Date());
  const tokens = new Set(options.tokens ?? [DEFAULT_FAKE_TELEGRAM_TOKEN]);
  const bot = options.bot ?? DEFAULT_FAKE_BOT;
  const maxLongPollMs = options.maxLongPollMs ?? 1000;
  const calls: FakeTelegramCall[] = [];
  const sentMessages: FakeSentMessage[] = [];
  const faults: FaultRule[] = [];
  const updates: Record<string, unknown>[] = [];
  const files = new Map<string, FakeFile>();
  const messageIds = new Map<string, number>();
  const knownMessages = new Set<string>();
  const sendTimes = { overall: [] as number[], perChat: new Map<string, number[]>() };
  const messageWaiters = new Set<Waiter<FakeSentMessage>>();
  const callWaiters = new Set<Waiter<FakeTelegramCall>>();
  const listeners = new Set<(message: FakeSentMessage) => void>();
  const pollWakers = new Set<() => void>();
  /** Messages pushed as user updates, by `chat:message_id`, so replies can quote them in full. */
  const pushedMessages = new Map<string, Record<string, unknown>>();
  /** Extra age given to sent messages by `ageMessage`, in ms. */
  const extraAge = new Map<FakeSentMessage, number>();
  let commands: unknown = [];
  let nextUpdateId = 100_000;
  let rateLimitedCount = 0;
  let url = '';

  const server = createLoopbackServer('fake Telegram API', handle, (res, error) => {
    answer(res, {
      status: 500,
      body: { ok: false, error_code: 500, description: `Fake failure: ${String(error)}` },
    });
  });
  const { timers, sleep } = server;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.keepAlive === false) res.setHeader('connection', 'close');
    const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(parsed.pathname);
    if (file !== null) return download(res, file[1] ?? '', decodeURIComponent(file[2] ?? ''));
    const route = /^\/bot([^/]+)\/(?:test\/)?([A-Za-z]+)$/.exec(parsed.pathname);
    if (route === null) return answer(res, failure(404, 'Not Found'));
    const raw = await readBody(req);
    const params = {
      ...Object.fromEntries(parsed.searchParams),
      ...parseParams(raw, req.headers['content-type']),
    };
    const call: FakeTelegramCall = { token: route[1] ?? '', method: route[2] ?? '', params, at: now() };
    calls.push(call);
    settle(callWaiters, call);
    if (options.latencyMs !== undefined && options.latencyMs > 0) await sleep(options.latencyMs);
    if (!tokens.has(call.token)) return answer(res, failure(401, 'Unauthorized'));
    const fault = takeFault(call);
    if (fault?.kind === 'commit-then-drop' || fault?.kind === 'commit-then-hang') {
      await dispatch(call);
      if (fault.kind === 'commit-then-drop') req.socket.destroy();
      return;
    }
    if (fault !== undefined) return applyFault(fault, req, res);
    answer(res, await dispatch(call));
  }

  async function dispatch(call: FakeTelegramCall): Promise<Answer> {
    const p = call.params;
    switch (call.method) {
      case 'getMe':
        return ok(bot);
      case 'deleteWebhook':
        if (p['drop_pending_updates'] === true || p['drop_pending_updates'] === 'true') updates.length = 0;
        return ok(true);
      case 'getWebhookInfo':
        return ok({ url: '', has_custom_certificate: false, pending_update_count: updates.length });
      case 'setMyCommands':
        commands = p['commands'];
        return ok(true);
      case 'getMyCommands':
        return ok(commands);
      case 'getUpdates':
        return ok(await getUpdates(p));
      case 'sendMessage':
      case 'sendDocument':
        return limited(call) ?? send(call);
      case 'sendChatAction':
      case 'answerCallbackQuery':
        return ok(true);
      case 'editMessageText':
      case 'editMessageReplyMarkup':
        return edit(call);
      case 'deleteMessage':
        return remove(p);
      case 'getFile':
        return getFile(p);
      case 'getChat':
        return ok(chatFor(String(p['chat_id'] ?? '')));
      default:
        return failure(404, 'Not Found');
    }
  }

  function send(call: FakeTelegramCall): Answer {
    const p = call.params;
    const chatId = p['chat_id'] === undefined ? '' : String(p['chat_id']);
    if (chatId === '') return failure(400, 'Bad Request: chat_id is empty');
    if (options.knownChats !== undefined && !options.knownChats.map(String).includes(chatId)) {
      return failure(400, 'Bad Request: chat not found');
    }
    const isDocument = call.method === 'sendDocument';
    const text = String((isDocument ? p['caption'] : p['text']) ?? '');
    const parseMode = typeof p['parse_mode'] === 'string' ? p['parse_mode'] : undefined;
    const rendered = render(text, parseMode);
    if (!rendered.ok) return failure(400, rendered.description);
    if (!isDocument && rendered.shown.trim() === '')
      return failure(400, 'Bad Request: message text is empty');
    const limit = isDocument ? MAX_CAPTION_LENGTH : MAX_TEXT_LENGTH;
    if (rendered.shown.length > limit) {
      return failure(
        400,
        isDocument ? 'Bad Request: message caption is too long' : 'Bad Request: message is too long',
      );
    }
    const replyTo = replyTarget(p);
    if (replyTo !== undefined && !knownMessages.has(`${chatId}:${replyTo}`) && !allowsMissingReply(p)) {
      return failure(400, 'Bad Request: message to be replied not found');
    }
    const document = isDocument ? documentOf(p['document']) : undefined;
    if (isDocument && document === undefined)
      return failure(400, 'Bad Request: there is no document in the request');
    const message: FakeSentMessage = {
      method: call.method,
      chatId,
      messageId: nextMessageId(chatId),
      text,
      shownText: rendered.shown,
      parseMode,
      replyMarkup: p['reply_markup'],
      replyTo,
      disableNotification: optionalBoolean(p['disable_notification']),
      linkPreviewOptions: p['link_preview_options'],
      disableWebPagePreview: optionalBoolean(p['disable_web_page_preview']),
      document,
      params: p,
      edits: [],
      deleted: false,
      at: now(),
    };
    sentMessages.push(message);
    for (const listener of listeners) listener(message);
    settle(messageWaiters, message);
    return ok(toApiMessage(message));
  }

  function edit(call: FakeTelegramCall): Answer {
    const p = call.params;
    const message = findMessage(p);
    if (message === undefined) return failure(400, 'Bad Request: message to edit not found');
    const text = call.method === 'editMessageText' ? String(p['text'] ?? '') : undefined;
    const markup = p['reply_markup'];
    if (text !== undefined) {
      const parseMode = typeof p['parse_mode'] === 'string' ? p['parse_mode'] : undefined;
      const rendered = render(text, parseMode);
      if (!rendered.ok) return failure(400, rendered.description);
      if (rendered.shown === message.shownText && sameJson(markup, message.replyMarkup)) {
        return failure(
          400,
          'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
        );
      }
      message.text = text;
      message.shownText = rendered.shown;
      message.parseMode = parseMode;
    } else if (sameJson(markup, message.replyMarkup)) {
      return failure(400, 'Bad Request: message is not modified');
    }
    message.replyMarkup = markup;
    message.edits.push({ ...(text === undefined ? {} : { text }), replyMarkup: markup, at: now() });
    return ok(toApiMessage(message));
  }

  function remove(p: Params): Answer {
    const message = findMessage(p);
    if (message === undefined) return failure(400, 'Bad Request: message to delete not found');
    if (tooOldToDelete(message)) return failure(400, "Bad Request: message can't be deleted");
    message.deleted = true;
    return ok(true);
  }

  /** Outside channels a bot may delete its own messages only within 48 hours of sending them. */
  function tooOldToDelete(message: FakeSentMessage): boolean {
    if (chatFor(message.chatId).type === 'channel') return false;
    const sentAt = message.at.getTime() - (extraAge.get(message) ?? 0);
    return now().getTime() - sentAt > DELETE_WINDOW_MS;
  }

  function findMessage(p: Params): FakeSentMessage | undefined {
    const chatId = String(p['chat_id'] ?? '');
    const messageId = Number(p['message_id']);
    return sentMessages.find((m) => m.chatId === chatId && m.messageId === messageId && !m.deleted);
  }

  function getFile(p: Params): Answer {
    const file = files.get(String(p['file_id'] ?? ''));
    if (file === undefined) return failure(400, 'Bad Request: invalid file_id');
    return ok({
      file_id: file.fileId,
      file_unique_id: file.fileUniqueId,
      file_size: file.content.length,
      file_path: file.filePath,
    });
  }

  function download(res: ServerResponse, token: string, filePath: string): void {
    const file = [...files.values()].find((candidate) => candidate.filePath === filePath);
    if (!tokens.has(token) || file === undefined) {
      answer(res, failure(404, 'Not Found'));
      return;
    }
    res.writeHead(200, { 'content-type': file.mimeType ?? 'application/octet-stream' }).end(file.content);
  }

  async function getUpdates(p: Params): Promise<Record<string, unknown>[]> {
    const offset = optionalNumber(p['offset']);
    if (offset !== undefined && offset > 0) {
      const kept = updates.filter((update) => Number(update['update_id']) >= offset);
      updates.splice(0, updates.length, ...kept);
    }
    const limit = Math.min(Math.max(optionalNumber(p['limit']) ?? 100, 1), 100);
    const timeoutSeconds = optionalNumber(p['timeout']) ?? 0;
    if (updates.length === 0 && timeoutSeconds > 0)
      await waitForUpdate(Math.min(timeoutSeconds * 1000, maxLongPollMs));
    return updates.slice(0, limit);
  }

  function waitForUpdate(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        timers.delete(timer);
        pollWakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timers.add(timer);
      pollWakers.add(wake);
    });
  }

  function pushUpdate(update: Record<string, unknown>): void {
    updates.push({ update_id: nextUpdateId++, ...update });
    for (const wake of [...pollWakers]) wake();
  }

  /** Answers 429 when a send would exceed the configured per-chat or overall rate. */
  function limited(call: FakeTelegramCall): Answer | undefined {
    const limits = options.rateLimit;
    if (limits === undefined) return undefined;
    const at = Date.now();
    const windowMs = limits.windowMs ?? 1000;
    const chatKey = String(call.params['chat_id'] ?? '');
    const chatTimes = recent(sendTimes.perChat.get(chatKey) ?? [], at, windowMs);
    sendTimes.overall = recent(sendTimes.overall, at, windowMs);
    const waits: number[] = [];
    if (limits.perChatPerSecond !== undefined && chatTimes.length >= limits.perChatPerSecond) {
      waits.push((chatTimes[0] ?? at) + windowMs - at);
    }
    if (limits.overallPerSecond !== undefined && sendTimes.overall.length >= limits.overallPerSecond) {
      waits.push((sendTimes.overall[0] ?? at) + windowMs - at);
    }
    if (waits.length > 0) return tooManyRequests(Math.max(1, Math.ceil(Math.max(...waits) / 1000)));
    chatTimes.push(at);
    sendTimes.perChat.set(chatKey, chatTimes);
    sendTimes.overall.push(at);
    return undefined;
  }

  function tooManyRequests(retryAfter: number): Answer {
    rateLimitedCount += 1;
    return {
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${retryAfter}`,
        parameters: { retry_after: retryAfter },
      },
    };
  }

  function takeFault(call: FakeTelegramCall): FakeTelegramFault | undefined {
    const rule = faults.find((candidate) => candidate.match(call));
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) faults.splice(faults.indexOf(rule), 1);
    return rule.fault;
  }

  function applyFault(
    fault: Exclude<FakeTelegramFault, { kind: 'commit-then-drop' | 'commit-then-hang' }>,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    if (fault.kind === 'hang') return;
    if (fault.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    answer(res, fault.kind === 'rate-limit' ? tooManyRequests(fault.retryAfter ?? 3) : faultAnswer(fault));
  }

  function nextMessageId(chatId: string): number {
    const id = (messageIds.get(chatId) ?? 0) + 1;
    messageIds.set(chatId, id);
    knownMessages.add(`${chatId}:${id}`);
    return id;
  }

  function toApiMessage(message: FakeSentMessage): Record<string, unknown> {
    const chat = chatFor(message.chatId);
    return {
      message_id: message.messageId,
      date: Math.floor(message.at.getTime() / 1000),
      chat,
      ...(chat.type === 'channel' ? { sender_chat: chat } : { from: bot }),
      ...(message.method === 'sendDocument' ? { caption: message.shownText } : { text: message.shownText }),
      ...(message.replyMarkup === undefined ? {} : { reply_markup: message.replyMarkup }),
      ...(message.replyTo === undefined ? {} : { reply_to_message: { message_id: message.replyTo, chat } }),
    };
  }

  /** The full earlier message when known (pushed or sent by the bot), else a bare reference. */
  function repliedMessage(chat: FakeChat, messageId: number): Record<string, unknown> {
    const pushed = pushedMessages.get(`${chat.id}:${messageId}`);
    if (pushed !== undefined) return pushed;
    const sent = sentMessages.find((m) => m.chatId === String(chat.id) && m.messageId === messageId);
    if (sent !== undefined) return toApiMessage(sent);
    return { message_id: messageId, chat, date: 0 };
  }

  function registerFile(
    fileId: string,
    content: string | Buffer,
    extra: { fileName?: string; mimeType?: string },
  ) {
    const fileName = extra.fileName ?? `${fileId}.dat`;
    const file: FakeFile = {
      fileId,
      fileUniqueId: `unique-${fileId}`,
      filePath: `documents/file_${files.size}_${fileName}`,
      fileName,
      mimeType: extra.mimeType,
      content: typeof content === 'string' ? Buffer.from(content, 'utf8') : content,
    };
    files.set(fileId, file);
    return file;
  }

  return {
    async start() {
      url = await server.listen(options.port);
      return { url };
    },
    async close() {
      pollWakers.clear();
      await server.close();
    },
    get url() {
      return url;
    },
    calls,
    sentMessages,
    get rateLimitedCount() {
      return rateLimitedCount;
    },
    failNext({ match, times, fault }) {
      faults.push({ match: match ?? (() => true), remaining: times ?? 1, fault });
    },
    pushMessage(input) {
      const from = input.from ?? DEFAULT_FAKE_ADMIN;
      const chat: FakeChat = input.chat ?? {
        id: from.id,
        type: 'private',
        first_name: from.first_name,
        ...(from.username === undefined ? {} : { username: from.username }),
      };
      const messageId = nextMessageId(String(chat.id));
      const document =
        input.document === undefined
          ? undefined
          : documentMessage(
              { ...input.document, fileId: input.document.fileId ?? `doc-${nextUpdateId}` },
              registerFile,
            );
      const message: Record<string, unknown> = {
        message_id: messageId,
        from,
        chat,
        date: Math.floor(now().getTime() / 1000),
        ...(input.text === undefined ? {} : { text: input.text, ...commandEntities(input.text) }),
        ...(input.caption === undefined ? {} : { caption: input.caption }),
        ...(document === undefined ? {} : { document }),
        ...(input.replyToMessageId === undefined
          ? {}
          : { reply_to_message: repliedMessage(chat, input.replyToMessageId) }),
      };
      pushedMessages.set(`${chat.id}:${messageId}`, message);
      pushUpdate({ message });
      return message;
    },
    pushCallbackQuery(input) {
      const id = input.id ?? `cbq-${nextUpdateId}`;
      const from = input.from ?? DEFAULT_FAKE_ADMIN;
      pushUpdate({
        callback_query: {
          id,
          from,
          chat_instance: 'fake-chat-instance',
          data: input.data,
          ...(input.message === undefined ? {} : { message: toApiMessage(input.message) }),
        },
      });
      return id;
    },
    addFile(fileId, content, extra = {}) {
      return registerFile(fileId, content, extra);
    },
    waitFor(predicate, timeoutMs = 2000) {
      return waitOn(messageWaiters, sentMessages, predicate, timeoutMs, 'sent message');
    },
    waitForCall(predicate, timeoutMs = 2000) {
      return waitOn(callWaiters, calls, predicate, timeoutMs, 'call');
    },
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ageMessage(chatId, messageId, ms) {
      const message = sentMessages.find((m) => m.chatId === chatId && m.messageId === messageId);
      if (message === undefined) throw new Error(`fake Telegram API: no message ${messageId} in ${chatId}`);
      extraAge.set(message, (extraAge.get(message) ?? 0) + ms);
    },
  };
}

function waitOn<T>(
  waiters: Set<Waiter<T>>,
  existing: readonly T[],
  predicate: (item: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const found = existing.find(predicate);
  if (found !== undefined) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters.delete(waiter);
      reject(
        new Error(
          `fake Telegram API: no matching ${what} within ${timeoutMs} ms (${existing.length} recorded)`,
        ),
      );
    }, timeoutMs);
    const waiter: Waiter<T> = {
      predicate,
      resolve: (item) => {
        clearTimeout(timer);
        resolve(item);
      },
    };
    waiters.add(waiter);
  });
}

function settle<T>(waiters: Set<Waiter<T>>, item: T): void {
  for (const waiter of [...waiters]) {
    if (waiter.predicate(item)) {
      waiters.delete(waiter);
      waiter.resolve(item);
    }
  }
}

function recent(times: number[], at: number, windowMs: number): number[] {
  return times.filter((time) => time > at - windowMs);
}

function ok(result: unknown): Answer {
  return { status: 200, body: { ok: true, result } };
}

function failure(code: number, description: string): Answer {
  return { status: code, body: { ok: false, error_code: code, description } };
}

function faultAnswer(
  fault: Exclude<
    FakeTelegramFault,
    { kind: 'hang' | 'drop' | 'rate-limit' | 'commit-then-drop' | 'commit-then-hang' }
  >,
): Answer {
  switch (fault.kind) {
    case 'server-error': {
      const status = fault.status ?? 500;
      return failure(status, status === 502 ? 'Bad Gateway' : 'Internal Server Error');
    }
    case 'unauthorized':
      return failure(401, 'Unauthorized');
    case 'chat-not-found':
      return failure(400, 'Bad Request: chat not found');
    case 'forbidden':
      return forbidden(fault.variant ?? 'kicked');
    case 'bad-request':
      return failure(400, fault.description ?? 'Bad Request: message is too long');
    case 'respond':
      return { status: fault.status, body: fault.body };
  }
}

function forbidden(variant: 'kicked' | 'not-member' | 'not-enough-rights'): Answer {
  if (variant === 'kicked') return failure(403, 'Forbidden: bot was kicked from the channel chat');
  if (variant === 'not-member') return failure(403, 'Forbidden: bot is not a member of the channel chat');
  return failure(400, 'Bad Request: not enough rights to send text messages to the chat');
}

function answer(res: ServerResponse, reply: Answer): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
}

/** A chat object for a `chat_id`: `@name` and -100… ids are channels, other negatives groups. */
function chatFor(chatId: string): FakeChat {
  if (chatId.startsWith('@')) {
    const username = chatId.slice(1);
    return { id: -1_000_000_000_000 - stableNumber(username), type: 'channel', title: username, username };
  }
  const id = Number(chatId);
  if (id > 0) return { id, type: 'private', first_name: 'User' };
  if (chatId.startsWith('-100')) return { id, type: 'channel', title: `Channel ${chatId}` };
  return { id, type: 'group', title: `Group ${chatId}` };
}

function stableNumber(text: string): number {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 1_000_000_000;
  return hash;
}

function replyTarget(p: Params): number | undefined {
  const parameters = p['reply_parameters'] as { message_id?: unknown } | undefined;
  const id = parameters?.message_id ?? p['reply_to_message_id'];
  return optionalNumber(id);
}

function allowsMissingReply(p: Params): boolean {
  const parameters = p['reply_parameters'] as { allow_sending_without_reply?: unknown } | undefined;
  const allow = parameters?.allow_sending_without_reply ?? p['allow_sending_without_reply'];
  return allow === true || allow === 'true';
}

function documentOf(value: unknown): FakeUploadedFile | string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'object' && value !== null && 'content' in value && Buffer.isBuffer(value.content)) {
    return value as FakeUploadedFile;
  }
  return undefined;
}

function documentMessage(
  document: NonNullable<PushMessageInput['document']> & { readonly fileId: string },
  register: (
    fileId: string,
    content: string | Buffer,
    extra: { fileName?: string; mimeType?: string },
  ) => FakeFile,
): Record<string, unknown> {
  const fileId = document.fileId;
  const extra = {
    ...(document.fileName === undefined ? {} : { fileName: document.fileName }),
    ...(document.mimeType === undefined ? {} : { mimeType: document.mimeType }),
  };
  const file = document.content === undefined ? undefined : register(fileId, document.content, extra);
  return {
    file_id: fileId,
    file_unique_id: `unique-${fileId}`,
    ...(document.fileName === undefined ? {} : { file_name: document.fileName }),
    ...(document.mimeType === undefined ? {} : { mime_type: document.mimeType }),
    ...(file === undefined ? {} : { file_size: file.content.length }),
  };
}

/** Telegraf's `bot.command()` looks at entities, so a leading `/cmd` gets its bot_command entity. */
function commandEntities(text: string): { entities?: { type: string; offset: number; length: number }[] } {
  const command = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(text);
  if (command === null) return {};
  return { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] };
}

type Rendered =
  | { readonly ok: true; readonly shown: string }
  | { readonly ok: false; readonly description: string };

/**
 * What readers would see, approximating Telegram's HTML parser: known tags are dropped, the four
 * named entities and numeric ones are decoded, and an unknown tag or stray `<` is refused the way
 * Telegram refuses it. Other parse modes are passed through unchanged.
 */
export function render(text: string, parseMode: string | undefined): Rendered {
  if (parseMode?.toUpperCase() !== 'HTML') return { ok: true, shown: text };
  let shown = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? '';
    if (char === '<') {
      const tag = /^<\/?([A-Za-z][\w-]*)(?:\s[^>]*)?>/.exec(text.slice(index));
      const offset = Buffer.byteLength(text.slice(0, index));
      if (tag === null) {
        return {
          ok: false,
          description: `Bad Request: can't parse entities: Unexpected character "<" at byte offset ${offset}`,
        };
      }
      const name = (tag[1] ?? '').toLowerCase();
      if (!HTML_TAGS.has(name)) {
        return {
          ok: false,
          description: `Bad Request: can't parse entities: Unsupported start tag "${name}" at byte offset ${offset}`,
        };
      }
      index += tag[0].length;
      continue;
    }
    if (char === '&') {
      const entity = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/.exec(text.slice(index));
      if (entity !== null) {
        shown += decodeEntity(entity[1] ?? '');
        index += entity[0].length;
        continue;
      }
    }
    shown += char;
    index += 1;
  }
  return { ok: true, shown };
}

function decodeEntity(name: string): string {
  if (name === 'lt') return '<';
  if (name === 'gt') return '>';
  if (name === 'amp') return '&';
  if (name === 'quot') return '"';
  const code = name.startsWith('#x')
    ? Number.parseInt(name.slice(2), 16)
    : Number.parseInt(name.slice(1), 10);
  return String.fromCodePoint(code);
}

function optionalNumber(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function optionalBoolean(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  return value === true || value === 'true';
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Bot API bodies come as JSON, url-encoded forms or multipart (telegraf uses multipart for uploads). */
function parseParams(raw: Buffer, contentType: string | undefined): Record<string, unknown> {
  if (raw.length === 0) return {};
  if (contentType?.includes('application/json'))
    return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  if (contentType?.includes('x-www-form-urlencoded')) {
    return decodeJsonParams(Object.fromEntries(new URLSearchParams(raw.toString('utf8'))));
  }
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType ?? '');
  if (contentType?.includes('multipart/form-data') && boundary !== null) {
    return decodeJsonParams(parseMultipart(raw, boundary[1] ?? boundary[2] ?? ''));
  }
  return {};
}

function decodeJsonParams(params: Record<string, unknown>): Record<string, unknown> {
  for (const key of JSON_PARAMS) {
    const value = params[key];
    if (typeof value !== 'string') continue;
    try {
      params[key] = JSON.parse(value) as unknown;
    } catch {
      // Left as text: Telegram would refuse it, and the test can see what arrived.
    }
  }
  return params;
}

function parseMultipart(raw: Buffer, boundary: string): Record<string, unknown> {
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: Record<string, unknown> = {};
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = trimCrlf(raw.subarray(start + delimiter.length, next));
    const split = part.indexOf('\r\n\r\n');
    if (split !== -1) {
      const headers = part.subarray(0, split).toString('utf8');
      const body = part.subarray(split + 4);
      const name = /;\s*name="([^"]*)"/i.exec(headers)?.[1];
      const fileName = /;\s*filename="([^"]*)"/i.exec(headers)?.[1];
      if (name !== undefined) {
        fields[name] =
          fileName === undefined ? body.toString('utf8') : { fileName, content: Buffer.from(body) };
      }
    }
    start = next;
  }
  return fields;
}

function trimCrlf(buffer: Buffer): Buffer {
  let from = 0;
  let to = buffer.length;
  if (buffer[0] === 0x0d && buffer[1] === 0x0a) from = 2;
  if (buffer[to - 2] === 0x0d && buffer[to - 1] === 0x0a) to -= 2;
  return buffer.subarray(from, to);
}
