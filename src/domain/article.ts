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
