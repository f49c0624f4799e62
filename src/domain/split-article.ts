import type { Article, Platform, PostingMode } from './article.js';
import { findQuotations } from './find-quotations.js';
import {
  applyMentionPolicyToArticle,
  DEFAULT_MENTION_POLICY,
  liveMentions,
  liveMentionWarning,
  type MentionPolicy,
} from './mentions.js';
import type { PlatformRules } from './platform-rules.js';
import { splitQuotes } from './split-quotes.js';
import { splitThread } from './split-thread.js';
import type { SplitResult, SplitSettings } from './split-types.js';
import type { TemplateValues } from './template.js';

export type {
  Attribution,
  SplitPost,
  SplitResult,
  SplitSettings,
  ThreadTemplates,
} from './split-types.js';

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
