import { Cron } from 'croner';

/**
 * Schedule arithmetic in a channel's IANA time zone. Slot times come from croner, which handles
 * daylight-saving changes the way a person expects: a 02:30 slot on the night clocks jump forward
 * runs at 03:00 local time (the slot still happens that day), and on the night they fall back it runs
 * once, not twice. That holds for every slot named by fixed hours and minutes, lists included
 * (`30 1,13 * * *`); patterns with a wildcard or step in the time fields (every 30 minutes, every hour) are
 * intervals and keep their spacing in real time instead.
 */

/** Options shared by every croner job here, so previews and the daemon's ticks agree. */
export const CRON_OPTIONS = {
  // Day-of-month and day-of-week combine with OR, as in Vixie cron.
  domAndDow: false,
  // croner's default treats only single values as fixed times, so a list such as `30 1,13` would
  // skip the 01:30 slot on the spring-forward night and run twice on the fall-back night.
  fixedTimeRule: 'no-wildcard',
} as const;

/** The next `count` slot times after `from`. */
export function nextSlots(cron: string, zone: string, from: Date, count: number): Date[] {
  const job = new Cron(cron, { timezone: zone, paused: true, ...CRON_OPTIONS });
  try {
    return job.nextRuns(count, from);
  } finally {
    job.stop();
  }
}

/** Parsed schedules, reused: parsing is most of what asking croner for one slot costs. */
const parsed = new Map<string, Cron>();

/** The last slot time at or before `at` (croner counts one earlier in the same second), if any. */
export function previousSlot(cron: string, zone: string, at: Date): Date | undefined {
  const key = `${zone} ${cron}`;
  let job = parsed.get(key);
  if (!job) {
    job = new Cron(cron, { timezone: zone, paused: true, ...CRON_OPTIONS });
    parsed.set(key, job);
  }
  return job.previousRuns(1, at)[0];
}

/** Local wall-clock parts of an instant in a zone. */
export function localParts(
  date: Date,
  zone: string,
): { year: number; month: number; day: number; hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(date);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
  };
}

/** The instant local midnight began, for the local day containing `date` (daily caps reset there). */
export function startOfLocalDay(date: Date, zone: string): Date {
  const { year, month, day } = localParts(date, zone);
  // Guess UTC midnight, then correct by the zone's offset at that guess (twice, for DST edges).
  let guess = Date.UTC(year, month - 1, day);
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(guess), zone);
    const localAsUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    guess -= localAsUtc - Date.UTC(year, month - 1, day);
  }
  if (sameLocalDay(new Date(guess), zone, year, month, day)) return new Date(guess);
  // Where clocks jump forward at midnight (America/Santiago, Asia/Beirut, …) 00:00 does not exist and
  // the guess lands in the evening before: the day begins at the jump, found by bisection.
  let before = guess;
  let inside = date.getTime();
  while (inside - before > 1) {
    const middle = Math.floor((before + inside) / 2);
    if (sameLocalDay(new Date(middle), zone, year, month, day)) inside = middle;
    else before = middle;
  }
  return new Date(inside);
}

function sameLocalDay(date: Date, zone: string, year: number, month: number, day: number): boolean {
  const p = localParts(date, zone);
  return p.year === year && p.month === month && p.day === day;
}

/**
 * Whether a post or a whole thread may start at a slot, given what is left of the channel's daily cap
 * (DESIGN.md: "a thread goes out whole ... and the daily cap is reserved for all of them").
 * - `parts`: posts that go out together: 1 for a quote, every part not yet out for a thread.
 * - `started`: part of the thread is already out (an outage or a crash cut it): it is finished
 *   whatever the cap, because a thread left headless or half-told on the platform until tomorrow is
 *   worse than a few posts over our own budget. The platform's real limit still holds: a 429 puts
 *   the part back in the queue until the reset, and the thread goes on from there.
 * - `too-long`: more parts than the whole cap; waiting cannot help, someone has to change something.
 */
export type CapCheck =
  | { readonly go: true }
  | {
      readonly go: false;
      readonly why: 'daily cap reached' | 'thread waits' | 'thread too long';
      /** In words, for logs, `status` and the schedule preview. */
      readonly detail: string;
    };

export function checkDailyCap(parts: number, left: number, cap: number, started = false): CapCheck {
  if (started) return { go: true };
  if (parts > 1 && parts > cap)
    return {
      go: false,
      why: 'thread too long',
      detail: `thread of ${parts} parts is longer than the daily cap of ${cap}: raise dailyCap or skip parts of it`,
    };
  if (parts <= left) return { go: true };
  if (parts === 1 || left <= 0)
    return {
      go: false,
      why: 'daily cap reached',
      detail:
        parts === 1 ? `${cap} posts a day` : `thread of ${parts} parts waits: daily cap of ${cap} reached`,
    };
  return {
    go: false,
    why: 'thread waits',
    detail: `thread of ${parts} parts waits: ${left} left of the daily cap of ${cap}`,
  };
}

/** True when the local time is inside [start, end) ("23:00"-"07:00" wraps past midnight). */
export function inQuietHours(
  date: Date,
  zone: string,
  quiet: { start: string; end: string } | undefined,
): boolean {
  if (!quiet) return false;
  const { hour, minute } = localParts(date, zone);
  const now = hour * 60 + minute;
  const [start, end] = [quiet.start, quiet.end].map((t) => {
    const [h, m] = t.split(':').map(Number);
    return (h ?? 0) * 60 + (m ?? 0);
  }) as [number, number];
  return start <= end ? now >= start && now < end : now >= start || now < end;
}

/** Formats an instant in a zone for people: "Sat 28 Nov 09:00 (Europe/London)". */
export function formatInZone(date: Date, zone: string): string {
  return `${formatLocalTime(date, zone, { seconds: true })} (${zone})`;
}

/** "Sat 28 Nov 09:00" (or with seconds) in a zone, without naming the zone. */
export function formatLocalTime(date: Date, zone: string, options: { seconds?: boolean } = {}): string {
  const text = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    weekday: 'short',
    day: '2-digit',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    ...(options.seconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  }).format(date);
  return text.replace(/,/g, '');
}

/**
 * Exponential backoff with full jitter: attempt 1 waits up to base, attempt 2 up to 2x base, …,
 * capped. `random` is injected (seeded in tests) so retries are reproducible.
 */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
