import { escapeHtml } from '../../adapters/telegram/escape-html.js';
import { formatLocalTime } from '../../domain/schedule.js';

/**
 * Every bot reply is sent with `parse_mode: 'HTML'`. Our own words and everything from the store or
 * from users go through `escapeHtml`; the only tags are the ones these helpers write.
 */

/** Telegram's limit on a message, counted after entity parsing. */
export const TELEGRAM_MESSAGE_LIMIT = 4096;
/** What we allow one page of raw HTML to take: the raw text is never shorter than what Telegram counts. */
export const PAGE_BUDGET = 3900;

export const esc = escapeHtml;
export const bold = (text: string): string => `<b>${escapeHtml(text)}</b>`;
export const italic = (text: string): string => `<i>${escapeHtml(text)}</i>`;
export const code = (text: string): string => `<code>${escapeHtml(text)}</code>`;

/**
 * Escapes `text`, cut so the escaped result is at most `max` characters (an ellipsis included), never
 * inside an entity or a surrogate pair.
 */
export function escClipped(text: string, max: number): string {
  const full = escapeHtml(text);
  if (full.length <= max) return full;
  let out = '';
  for (const char of text) {
    const piece = escapeHtml(char);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}

/** One line of a post for lists: whitespace folded, escaped, clipped. */
export function excerpt(text: string, max: number): string {
  return escClipped(text.replace(/\s+/g, ' ').trim(), max);
}

/**
 * Joins lines into pages of at most `budget` characters each, never splitting a line (a line holds
 * balanced tags, so cutting one could break the HTML). Callers clip their lines well below the budget.
 */
export function paginate(lines: readonly string[], budget = PAGE_BUDGET): string[] {
  const pages: string[] = [];
  let current = '';
  for (const line of lines) {
    const next = current ? `${current}\n${line}` : line;
    if (next.length > budget && current) {
      pages.push(current);
      current = line;
    } else {
      current = next;
    }
  }
  if (current || pages.length === 0) pages.push(current);
  return pages;
}

/** Page `page` (clamped to the pages there are) of `all`, `size` items a page; `all` is not empty. */
export function pageOf<T>(all: readonly T[], page: number, size: number) {
  const pages = Math.ceil(all.length / size);
  const current = Math.min(Math.max(0, page), pages - 1);
  return { pages, current, shown: all.slice(current * size, (current + 1) * size) };
}

/** "Sat 29 Nov 13:00" in the channel's zone (the zone is named once, in the header). */
export function shortTime(date: Date, zone: string): string {
  return formatLocalTime(date, zone);
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
