/** An article as the splitter sees it: metadata plus body paragraphs, boilerplate already removed. */
export interface Article {
  readonly title: string;
  readonly byline?: string;
  readonly url?: string;
  readonly publication?: string;
  /** Body paragraphs in order, normalised (NFC, single spaces, no control characters). */
  readonly paragraphs: readonly string[];
}

export type Platform = 'twitter' | 'telegram';
export const PLATFORMS: readonly Platform[] = ['twitter', 'telegram'];

export type PostingMode = 'quotes' | 'thread';

/**
 * A list item kept as its own paragraph, marker first: a bullet ("- ", "* ", "• ") or a number
 * ("1. ", "1) "; at most three digits, so "2024. The year…" is a sentence, not item 2024).
 */
const LIST_ITEM = /^(?:[-*•◦▪‣]|\d{1,3}[.)])\s+\S/u;

/** True for a paragraph that is a list item; the splitter joins consecutive items with one newline. */
export function isListItem(paragraph: string): boolean {
  return LIST_ITEM.test(paragraph);
}
