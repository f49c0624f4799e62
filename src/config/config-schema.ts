import { Cron } from 'croner';
import { z } from 'zod';
import { DEFAULT_BOILERPLATE_RULES } from '../domain/boilerplate.js';
import { CRON_OPTIONS } from '../domain/schedule.js';
import { checkTemplate } from '../domain/template.js';

/**
 * The settings file (config/*.yaml). Objects are strict: a misspelt key ("targetLenght") is reported,
 * not silently ignored in favour of the default. Secrets never live here: they come from the environment (see
 * env-schema.ts and .env.example). Every field has a default, so a channel needs only an id and a
 * platform; the defaults are the ones documented in config/default.yaml.
 */

const timeZone = z.string().refine(isTimeZone, {
  message:
    'unknown IANA time zone; use a name such as "Europe/London" or "America/New_York" (see `timedatectl list-timezones`)',
});

/**
 * Checked with croner, the library (and options) the daemon ticks with and `schedule` previews with,
 * so what passes here is exactly what runs: an expression that can never fire ("0 9 31 2 *", the
 * 31st of February) is refused too.
 */
const cronExpression = z.string().superRefine((expr, ctx) => {
  const fix = 'use 5 fields (minute hour day month weekday), or 6 with seconds first, e.g. "0 9,13,17 * * *"';
  const fields = expr.trim().split(/\s+/).length;
  let why: string | undefined;
  if (fields !== 5 && fields !== 6) why = `${fields} fields`;
  else {
    try {
      const job = new Cron(expr, { paused: true, timezone: 'UTC', ...CRON_OPTIONS });
      const next = job.nextRun();
      job.stop();
      if (next === null) why = 'no date ever matches it';
    } catch (error) {
      why = (error as Error).message.replace(/^CronPattern: /, '');
    }
  }
  if (why)
    ctx.addIssue({ code: 'custom', message: `"${expr}" is not a valid cron expression (${why}); ${fix}` });
});

/** An address or host name to listen on (QUOTECAST_OPS_HOST is checked with the same words). */
export const OPS_HOST = /^[A-Za-z0-9.:-]{1,253}$/;
export const OPS_HOST_EXPECTED = 'expected an address to listen on such as "127.0.0.1", "::1" or "0.0.0.0"';

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day as HH:MM, e.g. "23:00"');

const regexPattern = z.string().refine(isRegex, { message: 'not a valid regular expression' });
const furniturePatterns = (defaults: readonly string[]) => z.array(regexPattern).default([...defaults]);

const quoteTemplate = z.string().superRefine((value, ctx) => {
  for (const problem of checkTemplate(value, ['text'])) ctx.addIssue({ code: 'custom', message: problem });
});

const threadTemplate = z.string().superRefine((value, ctx) => {
  for (const problem of checkTemplate(value, ['text'])) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * The default templates. Threads open with the headline and end with the link; a one-post thread
 * ("only") has both. Every combination of present and missing values reads well (tested).
 */
export const DEFAULT_TEMPLATES = {
  quote: '“{text}”[ — {speaker}][ {url}]',
  first: '[{title}\n\n]{text}\n\n{n}/{total}',
  middle: '{text}\n\n{n}/{total}',
  last: '{text}\n\n{n}/{total}[\n{url}][\n{hashtags}]',
  only: '[{title}\n\n]{text}[\n\n{url}][\n{hashtags}]',
} as const;

const PLATFORM_LIMITS = { twitter: 280, telegram: 4096 } as const;
/** A quote-sized default: Telegram allows 4096, but a quote that long is an article, not a quote. */
const DEFAULT_TARGET = { twitter: 280, telegram: 600 } as const;
/** X's free API tier allows 17 posts a day per user; a team on a paid tier raises this. */
const DEFAULT_DAILY_CAP = { twitter: 17, telegram: 50 } as const;

const channelBase = z.strictObject({
  id: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9_-]{0,39}$/,
      'expected a short id of lower-case letters, digits, - or _ (e.g. "x-main")',
    ),
  mode: z.enum(['quotes', 'thread']).default('quotes'),
  schedule: cronExpression.default('0 9,13,17 * * *'),
  timezone: timeZone.optional(),
  targetLength: z.number().int().positive().optional(),
  quotesPerArticle: z.number().int().min(1).max(50).default(5),
  dailyCap: z.number().int().min(1).optional(),
  randomDelaySeconds: z.number().int().min(0).max(3600).default(0),
  quietHours: z.strictObject({ start: clock, end: clock }).optional(),
  hashtags: z.array(z.string().regex(/^#\S+$/, 'a hashtag starts with # and has no spaces')).default([]),
  templates: z
    .strictObject({
      // {speaker}: whoever said the words (a quotation's speaker, the author for the author's own
      // sentences); with nobody known the post claims no attribution at all.
      quote: quoteTemplate.default(DEFAULT_TEMPLATES.quote),
      thread: z
        .strictObject({
          first: threadTemplate.default(DEFAULT_TEMPLATES.first),
          middle: threadTemplate.default(DEFAULT_TEMPLATES.middle),
          last: threadTemplate.default(DEFAULT_TEMPLATES.last),
          only: threadTemplate.default(DEFAULT_TEMPLATES.only),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Prefix of this channel's secrets in the environment (TWITTER -> TWITTER_APP_KEY, ...). */
  credentials: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/, 'expected an upper-case environment prefix such as "TWITTER" or "X_SPORTS"')
    .optional(),
  enabled: z.boolean().default(true),
});

const twitterChannel = channelBase.extend({
  platform: z.literal('twitter'),
  /** The account's @handle, for post links (optional: links work without it). */
  handle: z
    .string()
    .regex(/^@?\w{1,15}$/, 'expected an X handle such as "@examplenews"')
    .optional(),
  /**
   * @mentions that come from the article's text: `neutralize` (default: the name stays readable but
   * X finds no mention in it, so nobody is notified), `keep` (live mentions) or `drop` (removed).
   */
  mentions: z.enum(['keep', 'neutralize', 'drop']).default('neutralize'),
  /** #hashtags and $cashtags that come from the article's text (not the channel's own `hashtags`). */
  textTags: z.enum(['keep', 'neutralize', 'drop']).default('keep'),
});

const telegramChannel = channelBase.extend({
  platform: z.literal('telegram'),
  chat: z
    .string({ error: 'a Telegram channel needs chat: a public "@channelname" or a numeric chat id' })
    .regex(
      /^(@[A-Za-z]\w{3,31}|-?\d{1,20})$/,
      'expected a public @channelname or a numeric chat id such as -1001234567890',
    ),
  linkPreview: z.boolean().default(false),
  silent: z.boolean().default(false),
});

const channel = z
  .discriminatedUnion('platform', [twitterChannel, telegramChannel], {
    error: 'platform must be "twitter" or "telegram"',
  })
  .superRefine((value, ctx) => {
    const limit = PLATFORM_LIMITS[value.platform];
    if (value.targetLength !== undefined && value.targetLength > limit) {
      ctx.addIssue({
        code: 'custom',
        path: ['targetLength'],
        message: `${value.targetLength} is above the ${value.platform} limit of ${limit}; use at most ${limit}`,
      });
    }
  })
  .transform((value) => ({
    ...value,
    targetLength: value.targetLength ?? DEFAULT_TARGET[value.platform],
    dailyCap: value.dailyCap ?? DEFAULT_DAILY_CAP[value.platform],
    credentials: value.credentials ?? (value.platform === 'twitter' ? 'TWITTER' : 'TELEGRAM'),
  }));

const plainWord = z
  .string()
  .trim()
  .min(1, 'an empty word matches nothing; remove it')
  .max(100)
  .refine((w) => !/[\\^$*+?()[\]{}|]/.test(w), {
    message: 'plain words only (matched as whole words, any case), not a regular expression',
  });

/** A channel a feed fills: its id, or `{ id, mode }` to post this feed's items another way. */
const feedChannel = z.union([
  z.string().min(1),
  z.strictObject({ id: z.string().min(1), mode: z.enum(['quotes', 'thread']).optional() }),
]);

/**
 * A feed the daemon polls (issue 12). The first poll only marks what is there as seen (`backfill`:
 * queue the N newest anyway), and so does the first poll after a resume.
 */
const feed = z.strictObject({
  id: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9_-]{0,39}$/,
      'expected a short id of lower-case letters, digits, - or _ (e.g. "news")',
    ),
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL of an RSS, Atom or JSON feed' }),
  channels: z.array(feedChannel).min(1, 'name at least one channel id this feed fills'),
  /** admins: items are queued unapproved and the admins asked; auto: queued approved. */
  approval: z.enum(['admins', 'auto']).default('admins'),
  schedule: cronExpression.default('*/10 * * * *'),
  include: z.array(plainWord).default([]),
  exclude: z.array(plainWord).default([]),
  categories: z.array(plainWord).default([]),
  maxItemsPerPoll: z.number().int().min(1).max(100).default(5),
  backfill: z.number().int().min(0).max(100).default(0),
  enabled: z.boolean().default(true),
});

/** Problems of feeds naming channels that do not exist, or sharing an id (path, message). */
export function feedReferenceProblems(
  channelIds: readonly string[],
  feeds: readonly unknown[],
): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const seen = new Set<unknown>();
  feeds.forEach((f, i) => {
    const raw = f as { id?: unknown; channels?: unknown } | null;
    if (raw?.id !== undefined && seen.has(raw.id))
      out.push({
        path: ['feeds', i, 'id'],
        message: `duplicate feed id "${String(raw.id)}"; ids must be unique`,
      });
    seen.add(raw?.id);
    if (!Array.isArray(raw?.channels)) return;
    raw.channels.forEach((c: unknown, j: number) => {
      const id = typeof c === 'string' ? c : (c as { id?: unknown } | null)?.id;
      if (typeof id === 'string' && !channelIds.includes(id))
        out.push({
          path: ['feeds', i, 'channels', j],
          message: `no channel "${id}" is configured; channels: ${channelIds.join(', ') || '(none)'}`,
        });
    });
  });
  return out;
}

export const settingsSchema = z
  .strictObject({
    publication: z.string().min(1).optional(),
    timezone: timeZone.default('UTC'),
    store: z
      .strictObject({
        /** SQLite file: the embedded default, one daemon per file. */
        path: z.string().min(1).default('./data/quotecast.db'),
        /**
         * PostgreSQL instead (several daemons sharing one queue): postgres://user:password@host:port/db.
         * DATABASE_URL wins over it; keep the password there rather than in the settings file.
         */
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// (or postgresql://)')
          .optional(),
        /**
         * PostgreSQL only: how long a daemon that stopped heartbeating keeps its posts, slots and roles
         * before the others take them over. Heartbeats come every third of it.
         */
        leaseSeconds: z.number().int().min(3).max(3600).default(90),
      })
      .prefault({}),
    outbox: z.strictObject({ path: z.string().min(1).default('./data/outbox.jsonl') }).prefault({}),
    input: z
      .strictObject({
        maxBytes: z
          .number()
          .int()
          .min(1024)
          .max(100 * 1024 * 1024)
          .default(5 * 1024 * 1024),
        fetchTimeoutMs: z.number().int().min(100).max(120_000).default(15_000),
        /**
         * Host names (exact, case-insensitive) that may be fetched although they resolve to an
         * internal address: a CMS on the newsroom's intranet. Empty by default: internal addresses
         * are refused.
         */
        allowInternalHosts: z
          .array(
            z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'expected a host name such as "cms.intranet.example"'),
          )
          .default([]),
      })
      .prefault({}),
    // Newsroom furniture (see domain/boilerplate.ts): an omitted key keeps the built-in patterns.
    boilerplate: z
      .strictObject({
        bylinePatterns: furniturePatterns(DEFAULT_BOILERPLATE_RULES.bylinePatterns),
        bioPatterns: furniturePatterns(DEFAULT_BOILERPLATE_RULES.bioPatterns),
        promoPatterns: furniturePatterns(DEFAULT_BOILERPLATE_RULES.promoPatterns),
        captionPatterns: furniturePatterns(DEFAULT_BOILERPLATE_RULES.captionPatterns),
        contactPatterns: furniturePatterns(DEFAULT_BOILERPLATE_RULES.contactPatterns),
        relatedPatterns: furniturePatterns(DEFAULT_BOILERPLATE_RULES.relatedPatterns),
        languagePatterns: furniturePatterns(DEFAULT_BOILERPLATE_RULES.languagePatterns),
        datelinePatterns: furniturePatterns(DEFAULT_BOILERPLATE_RULES.datelinePatterns),
        datelinePrefixPatterns: furniturePatterns(DEFAULT_BOILERPLATE_RULES.datelinePrefixPatterns),
        endMarkerPatterns: furniturePatterns(DEFAULT_BOILERPLATE_RULES.endMarkerPatterns),
        tailParagraphs: z.number().int().min(0).max(20).default(DEFAULT_BOILERPLATE_RULES.tailParagraphs),
        headParagraphs: z.number().int().min(0).max(20).default(DEFAULT_BOILERPLATE_RULES.headParagraphs),
      })
      .prefault({}),
    retry: z
      .strictObject({
        maxAttempts: z.number().int().min(1).max(50).default(5),
        baseDelaySeconds: z.number().min(0.01).default(30),
        maxDelaySeconds: z.number().min(1).default(3600),
        /**
         * After a request that may have reached the platform (a timeout, a connection cut, a kill
         * mid-send), how long to let it settle before looking for it on the timeline and sending it
         * again: at least as long as X takes to show a new tweet in the timeline.
         */
        settleSeconds: z.number().min(0).max(3600).default(60),
      })
      .prefault({}),
    publishTimeoutMs: z.number().int().min(100).max(120_000).default(15_000),
    telegramBot: z
      .strictObject({
        /** Admins must approve an article added from Telegram before anything is queued. */
        requireApproval: z.boolean().default(true),
        /** Extra chats (groups) that receive alerts, besides the admins' private chats. */
        alertChatIds: z.array(z.union([z.number().int(), z.string().regex(/^-?\d+$/)])).default([]),
      })
      .prefault({}),
    /**
     * Health and metrics endpoints of `quotecast start` (/healthz, /metrics). Off unless `port` is set
     * (or QUOTECAST_OPS_PORT): they have no authentication, so they listen on loopback by default.
     */
    ops: z
      .strictObject({
        /** 0 takes any free port (the address is printed at start-up). */
        port: z
          .number({ error: 'expected a TCP port number such as 9464' })
          .int('expected a whole port number such as 9464')
          .min(0, 'expected a port from 1 to 65535 (0: any free port)')
          .max(65535, 'expected a port from 1 to 65535 (0: any free port)')
          .optional(),
        host: z.string().regex(OPS_HOST, OPS_HOST_EXPECTED).default('127.0.0.1'),
      })
      .prefault({}),
    channels: z
      .array(channel, {
        error: (issue) =>
          issue.input === undefined ? 'configure at least one channel (the key is missing)' : undefined,
      })
      .min(1, 'configure at least one channel'),
    feeds: z.array(feed).default([]),
  })
  .superRefine((value, ctx) => {
    for (const problem of feedReferenceProblems(
      value.channels.map((c) => c.id),
      value.feeds,
    ))
      ctx.addIssue({ code: 'custom', ...problem });
    const seen = new Set<string>();
    value.channels.forEach((c, i) => {
      if (seen.has(c.id))
        ctx.addIssue({
          code: 'custom',
          path: ['channels', i, 'id'],
          message: `duplicate channel id "${c.id}"; ids must be unique`,
        });
      seen.add(c.id);
    });
  });

export type Settings = z.output<typeof settingsSchema>;
export type ChannelSettings = Settings['channels'][number];
export type FeedSettings = Settings['feeds'][number];
export type TwitterChannelSettings = Extract<ChannelSettings, { platform: 'twitter' }>;
export type TelegramChannelSettings = Extract<ChannelSettings, { platform: 'telegram' }>;

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function isRegex(pattern: string): boolean {
  try {
    new RegExp(pattern, 'iu');
    return true;
  } catch {
    return false;
  }
}
