import type { Article, Platform, PostingMode } from './article.js';
import { findQuotations } from './find-quotations.js';
import {
  applyMentionPolicyToArticle,
  DEFAULT_MENTION_POLICY,
  liveMentions,
  liveMentionWarning,
  type MentionPolicy,
  type TagPolicy,
} from './mentions.js';
import type { PlatformRules } from './platform-rules.js';
import { splitQuotes } from './split-quotes.js';
import { splitThread } from './split-thread.js';
import type { TemplateValues } from './template.js';

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

/**
 * Splits an article into posts for one channel. Deterministic: same input, same posts. On X the
 * channel's mentions policy is applied to the article first, so every length measured here is the
 * length that goes out; a mention that stays live in a post that goes out is named in `warnings`.
 */
export function splitArticle(article: Article, settings: SplitSettings, rules: PlatformRules): SplitResult {
  const target = Math.min(settings.targetLength, rules.maxLength);
  const source =
    rules.platform === 'twitter' ? applyMentionPolicyToArticle(article, mentionPolicyOf(settings)) : article;
  const values: TemplateValues = {
    title: source.title || undefined,
    author: source.byline,
    publication: source.publication,
    url: source.url,
    hashtags: settings.hashtags.length ? settings.hashtags.join(' ') : undefined,
  };
  const quotations = findQuotations(source.paragraphs);
  const result =
    settings.mode === 'thread'
      ? splitThread(source, settings.threadTemplates, values, target, rules, quotations)
      : splitQuotes(source, settings, values, target, rules, quotations);
  if (rules.platform !== 'twitter') return result;
  const live = new Set(result.selected.flatMap((post) => postLiveMentions(post.text, settings, 'twitter')));
  return live.size === 0
    ? result
    : { ...result, warnings: [...result.warnings, ...[...live].map(liveMentionWarning)] };
}

/** A channel's mentions policy, with the defaults for what it leaves out. */
export function mentionPolicyOf(settings: Pick<SplitSettings, 'mentions' | 'textTags'>): MentionPolicy {
  return {
    mentions: settings.mentions ?? DEFAULT_MENTION_POLICY.mentions,
    textTags: settings.textTags ?? DEFAULT_MENTION_POLICY.textTags,
  };
}

/**
 * The mentions in a post that X will notify (see `liveMentions`), leaving out those the channel's
 * own templates write (its own `@handle` is its choice, not the article's). None on Telegram.
 * Previews mark each with `liveMentionWarning`.
 */
export function postLiveMentions(text: string, settings: SplitSettings, platform: Platform): string[] {
  if (platform !== 'twitter') return [];
  const found = liveMentions(text);
  if (found.length === 0) return found;
  const t = settings.threadTemplates;
  const own = new Set(
    [settings.quoteTemplate, t.first, t.middle, t.last, t.only]
      .flatMap(liveMentions)
      .map((m) => m.slice(1).toLowerCase()),
  );
  return found.filter((m) => !own.has(m.slice(1).toLowerCase()));
}

export const MODES: readonly PostingMode[] = ['quotes', 'thread'];
