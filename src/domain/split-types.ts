import type { PostingMode } from './article.js';
import type { TagPolicy } from './mentions.js';

/**
 * The types the splitters share: split-article.ts (the entry point) and the two modes it hands an
 * article to (split-quotes.ts, split-thread.ts) all read them, so they live apart from all three.
 */

export interface ThreadTemplates {
  readonly first: string;
  readonly middle: string;
  readonly last: string;
  /** A thread that fits in one post: it is first and last at once (headline and link). */
  readonly only: string;
}

/** What a channel decides about its posts (see config/default.yaml for the documented defaults). */
export interface SplitSettings {
  readonly mode: PostingMode;
  /** Longest post, template included, as the platform counts it; at most the platform's limit. */
  readonly targetLength: number;
  readonly quoteTemplate: string;
  readonly threadTemplates: ThreadTemplates;
  /** How many quotes of an article a channel posts (quotes mode). */
  readonly quotesPerArticle: number;
  readonly hashtags: readonly string[];
  /**
   * X only: @mentions written in the article (title, paragraphs, so speakers, and byline);
   * `neutralize` when not given. The templates' own words and `hashtags` are never changed.
   */
  readonly mentions?: TagPolicy;
  /** X only: #hashtags and $cashtags written in the article; `keep` when not given. */
  readonly textTags?: TagPolicy;
}

/**
 * Whom a post credits for its words: `speaker` (a quotation's speaker, named by the template),
 * `in-text` (the post's own words name the speaker: “…,” said Diane Okafor), `author` (the author's
 * own sentences, signed by the template) or `none` (no attribution claimed).
 */
export type Attribution = 'speaker' | 'in-text' | 'author' | 'none';

export interface SplitPost {
  /** The full post exactly as it would be sent. */
  readonly text: string;
  /** Length of `text` as the platform counts it. */
  readonly length: number;
  /** The article words in this post, without template or numbering. */
  readonly body: string;
  /** True when a token longer than a post had to be cut inside a word. */
  readonly forced: boolean;
  /** Quotes mode: how well the excerpt stands alone, why, and whether it was chosen. */
  readonly score?: number;
  readonly reasons?: readonly string[];
  readonly chosen?: boolean;
  /** Quotes mode: the name the post attributes its words to (by template or in its own words). */
  readonly speaker?: string | undefined;
  readonly attribution?: Attribution;
  /**
   * Quotes mode: the body is the words inside a quotation, its marks removed (the template or the
   * article's own marks go around them). Documented cleaning applies to these words only: a closing
   * comma before the attribution becomes a period, and an interrupted quotation is joined where its
   * attribution stood.
   */
  readonly quotedWords?: boolean | undefined;
  /** Index of the first and last sentence unit the post covers (as `sentences` prints them). */
  readonly units: readonly [number, number];
}

export interface SplitResult {
  /** Thread mode: every post in order. Quotes mode: every candidate in article order. */
  readonly posts: readonly SplitPost[];
  /** Quotes mode: the chosen posts in article order; thread mode: same as posts. */
  readonly selected: readonly SplitPost[];
  readonly warnings: readonly string[];
}
