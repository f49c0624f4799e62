import type { ChannelSettings, Settings } from '../config/config-schema.js';
import { settingsSchema } from '../config/config-schema.js';
import type { Platform, PostingMode } from '../domain/article.js';
import { type CompiledBoilerplateRules, compileBoilerplateRules } from '../domain/boilerplate.js';
import type { IngestOutcome, InputFormat } from '../domain/ingest-input.js';
import type { ArticleMetadata } from '../domain/ingest-text.js';
import { type PlatformRules, rulesFor } from '../domain/platform-rules.js';
import { type SplitResult, type SplitSettings, splitArticle } from '../domain/split-article.js';
import type { DocumentParser, ParseRequest } from '../ports/document-parser.js';

/** The split settings of a configured channel. */
export function channelSplitSettings(channel: ChannelSettings, mode?: PostingMode): SplitSettings {
  return {
    mode: mode ?? channel.mode,
    targetLength: channel.targetLength,
    quoteTemplate: channel.templates.quote,
    threadTemplates: channel.templates.thread,
    quotesPerArticle: channel.quotesPerArticle,
    hashtags: channel.hashtags,
    ...(channel.platform === 'twitter' ? { mentions: channel.mentions, textTags: channel.textTags } : {}),
  };
}

/** Platform defaults, for `split --platform` without a channel: the schema's own defaults. */
export function defaultSplitSettings(platform: Platform, mode: PostingMode): SplitSettings {
  const probe =
    platform === 'telegram'
      ? { id: 'probe', platform, chat: '@probe_chat', mode }
      : { id: 'probe', platform, mode };
  const channel = settingsSchema.parse({ channels: [probe] }).channels[0]!;
  return channelSplitSettings(channel, mode);
}

export function boilerplateRulesOf(settings: Settings): CompiledBoilerplateRules {
  return compileBoilerplateRules(settings.boilerplate);
}

export interface PrepareInput {
  readonly bytes: Uint8Array;
  readonly source: string;
  readonly format?: InputFormat | 'auto';
  readonly metadata?: ArticleMetadata;
}

/** What the parser needs to read an input with the configured rules and limits. */
export function parseRequest(input: PrepareInput, settings: Settings): ParseRequest {
  return {
    bytes: input.bytes,
    source: input.source,
    format: input.format ?? 'auto',
    maxBytes: settings.input.maxBytes,
    boilerplate: settings.boilerplate,
    // The configured publication is the fallback; the page's own or the caller's wins.
    metadata: {
      ...(settings.publication ? { publication: settings.publication } : {}),
      ...input.metadata,
    },
  };
}

/** Ingests an article through the parser port (a worker with a time and memory budget). */
export function parseWithSettings(
  parser: DocumentParser,
  input: PrepareInput,
  settings: Settings,
): Promise<IngestOutcome> {
  return parser.parse(parseRequest(input, settings));
}

export interface ChannelSplit {
  readonly channel: ChannelSettings;
  readonly rules: PlatformRules;
  readonly result: SplitResult;
}

/** Splits an ingested article for each channel with that channel's settings. */
export function splitForChannels(
  article: Parameters<typeof splitArticle>[0],
  channels: readonly ChannelSettings[],
  mode?: PostingMode,
): ChannelSplit[] {
  return channels.map((channel) => {
    const rules = rulesFor(channel.platform);
    return { channel, rules, result: splitArticle(article, channelSplitSettings(channel, mode), rules) };
  });
}
