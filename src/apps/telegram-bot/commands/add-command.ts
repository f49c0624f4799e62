import { ingestWithSettings } from '../../../adapters/document/ingest-with-settings.js';
import type { Article } from '../../../domain/article.js';
import { detectFormat, formatBytes, type IngestOutcome } from '../../../domain/ingest-input.js';
import { liveMentionWarning } from '../../../domain/mentions.js';
import { postLiveMentions } from '../../../domain/split-article.js';
import { FetchError } from '../../../ports/article-fetcher.js';
import { enqueueArticle, threadOverCapMessage, threadsOverCap } from '../../../use-cases/enqueue-article.js';
import { killLine } from '../../../use-cases/kill-article.js';
import { loadArticleFromUrl } from '../../../use-cases/load-article.js';
import {
  type ChannelSplit,
  channelSplitSettings,
  parseWithSettings,
  splitForChannels,
} from '../../../use-cases/prepare-article.js';
import type { Admin, BotServices, CommandRequest, CommandResult, Reply } from '../bot-types.js';
import { encodeCallback, type PreviewChoice } from '../callback-data.js';
import { bold, code, esc, escClipped, excerpt, plural } from '../format-html.js';
import { text } from './shared.js';

export const ACCEPTED_DOCUMENT = /\.(txt|md|markdown|html?)$/i;
/** How many posts per channel the preview shows in full (clipped), so it stays one message. */
const SHOWN_PER_CHANNEL = 2;

const USAGE = [
  '⚠️ /add needs an article. Any of:',
  `• ${code('/add')} followed by the article (a short headline on the first line if it has one; one paragraph a line, or blank lines between them)`,
  `• ${code('/add https://example.com/story')} to fetch a page`,
  `• ${code('/add')} as a reply to a message holding the article or a file`,
  '• a .txt, .md or .html file sent to me (caption /add in groups)',
].join('\n');

/**
 * `/add`: ingest an article from the message, a reply, a document or a URL, split it for every enabled
 * channel and show a preview with "Queue", "Queue and approve all" and "Discard" buttons. Nothing is
 * stored until a button is pressed, unless approval is turned off (settings.telegramBot.requireApproval:
 * false), in which case the article is queued approved at once, like `quotecast add`.
 */
export async function addCommand(s: BotServices, req: CommandRequest): Promise<CommandResult> {
  const source = req.addSource;
  switch (source.kind) {
    case 'none':
      return text(USAGE);
    case 'text': {
      const input = { bytes: new TextEncoder().encode(source.text), source: 'the message' };
      // A message holds at most 4,096 characters: as text or Markdown (under its nesting cap) it is
      // read in milliseconds, here. HTML can take half a second even under the caps (250 nested
      // <div>s fit in a message), so it goes to the parser's worker, like a file.
      if (detectFormat(source.text, input.source) !== 'html')
        return await afterIngest(s, ingestWithSettings(input, s.settings), req.admin);
      return {
        working: '⏳ Reading the article…',
        finish: async () =>
          await afterIngest(s, await parseWithSettings(s.parser, input, s.settings), req.admin),
      };
    }
    case 'url':
      return {
        working: `⏳ Fetching ${esc(source.url)}…`,
        finish: async () => {
          try {
            const outcome = await loadArticleFromUrl(s.fetcher, s.parser, source.url, s.settings);
            return await afterIngest(s, outcome, req.admin);
          } catch (error) {
            if (error instanceof FetchError) return text(`⚠️ ${esc(error.message)}`);
            throw error;
          }
        },
      };
    case 'document': {
      const { document } = source;
      const name = document.fileName ?? 'the file';
      if (!ACCEPTED_DOCUMENT.test(name))
        return text(`⚠️ ${esc(name)} is not an article I can read; send a .txt, .md or .html file.`);
      const max = s.settings.input.maxBytes;
      if (document.fileSize !== undefined && document.fileSize > max)
        return text(
          `⚠️ ${esc(name)} is ${esc(formatBytes(document.fileSize))}, over the ${esc(formatBytes(max))} limit (input.maxBytes in the settings).`,
        );
      return {
        working: `⏳ Reading ${esc(name)}…`,
        finish: async () => {
          let bytes: Uint8Array;
          try {
            bytes = await s.download(document, max);
          } catch (error) {
            return text(`⚠️ Could not read ${esc(name)}: ${esc((error as Error).message)}`);
          }
          const outcome = await parseWithSettings(s.parser, { bytes, source: name }, s.settings);
          return await afterIngest(s, outcome, req.admin);
        },
      };
    }
  }
}

async function afterIngest(s: BotServices, outcome: IngestOutcome, admin: Admin): Promise<Reply> {
  if (!outcome.ok) return text(`⚠️ ${esc(outcome.problem.message)}`);
  const channels = s.deps.channels.filter((c) => c.enabled);
  if (channels.length === 0)
    return text('⚠️ No channel is enabled in the config, so there is nothing to queue to.');
  const splits = splitForChannels(outcome.article, channels);
  if (splits.every((sp) => sp.result.selected.length === 0))
    return text(`⚠️ "${esc(outcome.article.title)}" gives no posts on any channel; nothing to queue.`);
  // Said at once, not after a button press: such a thread could never go out whole.
  const overCap = threadsOverCap(splits);
  if (overCap.length > 0) return text(`⚠️ ${esc(threadOverCapMessage(overCap))}. Nothing queued.`);
  if (!s.requireApproval)
    return (
      await queueNow(
        s,
        outcome.article,
        channels.map((c) => c.id),
        true,
        admin,
      )
    ).reply;
  const preview = await s.previews.add({
    article: outcome.article,
    channelIds: channels.map((c) => c.id),
    createdAt: s.clock.now(),
    by: admin.id,
  });
  const button = (label: string, choice: PreviewChoice) => ({
    text: label,
    callback_data: encodeCallback({ kind: 'preview', choice, previewId: preview.id }),
  });
  return {
    html: [
      previewText(outcome.article, splits),
      '',
      esc(
        'Nothing is queued until you choose. "Queue" stores the posts unapproved: they wait for /approve. "Queue and approve all" lets them go out at their slots.',
      ),
    ].join('\n'),
    keyboard: [
      [button('✅ Queue', 'queue'), button('🚀 Queue and approve all', 'approve')],
      [button('🗑 Discard', 'discard')],
    ],
  };
}

function previewText(article: Article, splits: readonly ChannelSplit[]): string {
  const lines = [
    `📰 ${bold(article.title)}`,
    ...(article.byline ? [esc(article.byline)] : []),
    ...(article.url ? [esc(article.url)] : []),
  ];
  // Budget per shown post so the preview stays one message, however many channels there are.
  const shown = splits.reduce((n, sp) => n + Math.min(SHOWN_PER_CHANNEL, sp.result.selected.length), 0);
  const perPost = Math.max(80, Math.floor(2800 / Math.max(1, shown)));
  for (const { channel, result } of splits) {
    const posts = result.selected;
    lines.push(
      '',
      `${bold(channel.id)} (${esc(`${channel.platform}, ${channel.mode}`)}): ${plural(posts.length, 'post')}`,
    );
    posts.slice(0, SHOWN_PER_CHANNEL).forEach((p, i) => {
      lines.push(`${i + 1}. ${escClipped(p.text, perPost)}`);
      for (const m of postLiveMentions(p.text, channelSplitSettings(channel), channel.platform))
        lines.push(`⚠️ ${esc(liveMentionWarning(m))}`);
    });
    if (posts.length > SHOWN_PER_CHANNEL) lines.push(`… and ${posts.length - SHOWN_PER_CHANNEL} more`);
    const other = result.warnings.filter((w) => !w.startsWith('live mention:'));
    if (other.length > 0) lines.push(`⚠️ ${excerpt(other.join(' '), 200)}`);
  }
  return lines.join('\n');
}

async function queueNow(
  s: BotServices,
  article: Article,
  channelIds: readonly string[],
  approved: boolean,
  admin: Admin,
): Promise<{ readonly queued: boolean; readonly reply: Reply }> {
  const channels = s.deps.channels.filter((c) => channelIds.includes(c.id));
  if (channels.length === 0)
    return {
      queued: false,
      reply: text('⚠️ None of the previewed channels is configured any more; nothing queued.'),
    };
  const { result, splits } = await enqueueArticle(s.deps.store, {
    article,
    channels,
    approved,
    now: s.clock.now(),
  });
  if (result.kind === 'thread-over-cap')
    return { queued: false, reply: text(`⚠️ ${esc(result.message)}. Nothing queued.`) };
  if (result.kind === 'duplicate')
    return {
      queued: false,
      reply: text(
        result.killed
          ? `⚠️ "${esc(article.title)}" was pulled (article a${result.articleId}, ${esc(killLine(result.killed))}); nothing queued. /article ${result.articleId} shows where it went; \`quotecast add --force\` queues it again as a new article.`
          : `⚠️ "${esc(article.title)}" is already queued or published as article a${result.articleId} on ${esc(result.channelIds.join(', '))}; nothing queued. /preview a${result.articleId} shows it.`,
      ),
    };
  s.logger.info('article queued from Telegram', { article: result.articleId, by: admin.label, approved });
  const counts = splits.map((sp) => `${esc(sp.channel.id)}: ${sp.result.selected.length}`).join(', ');
  const next = approved
    ? 'They go out at their slots; /schedule shows when.'
    : `They wait for /approve ${result.articleId} (or /delete ${result.articleId}).`;
  return {
    queued: true,
    reply: text(
      `✅ Queued article a${result.articleId} ${bold(article.title)} (${counts} posts), ${approved ? 'approved' : 'not yet approved'}. ${esc(next)}`,
    ),
  };
}

/** A press on a preview's button: acts once; an expired or unknown preview gets a clear answer. */
export async function choosePreview(
  s: BotServices,
  choice: PreviewChoice,
  previewId: string,
  admin: Admin,
): Promise<{ readonly toast: string; readonly reply?: Reply }> {
  const preview = await s.previews.take(previewId, s.clock.now());
  if (!preview)
    return {
      toast:
        'This preview has expired or was already used (previews are kept for a day and forgotten on restart). Send /add again.',
    };
  if (choice === 'discard')
    return {
      toast: 'Discarded',
      reply: text(`🗑 Discarded ${bold(preview.article.title)}; nothing was queued.`),
    };
  const { queued, reply } = await queueNow(
    s,
    preview.article,
    preview.channelIds,
    choice === 'approve',
    admin,
  );
  return {
    toast: !queued ? 'Nothing queued' : choice === 'approve' ? 'Queued and approved' : 'Queued',
    reply,
  };
}
