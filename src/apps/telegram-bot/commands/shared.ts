import type { AdminResult } from '../../../use-cases/admin-actions.js';
import { parsePostId, unknownChannel } from '../../../use-cases/admin-actions.js';
import { parseArticleId } from '../../../use-cases/kill-article.js';
import type { PublishDeps } from '../../../use-cases/publish-deps.js';
import type { BotServices, Reply } from '../bot-types.js';
import { code, esc } from '../format-html.js';

export type Channel = PublishDeps['channels'][number];

export const text = (html: string): Reply => ({ html });

/** ✅ / ⚠️ and the use case's own words, escaped. */
export function fromResult(result: AdminResult): Reply {
  return text(`${result.ok ? '✅' : '⚠️'} ${esc(result.message)}`);
}

export function words(args: string): string[] {
  return args.split(/\s+/).filter(Boolean);
}

/** The channel named by `id`, or a reply listing the configured ones. */
export function findChannel(s: BotServices, id: string): Channel | Reply {
  const channel = s.deps.channels.find((c) => c.id === id.toLowerCase());
  return channel ?? text(`⚠️ ${esc(unknownChannel(s.deps, id))}`);
}

export function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'html' in value;
}

/** `/skip 42`: exactly one post id, or a reply saying what is wrong and how it should look. */
export function postIdArg(command: string, args: string): number | Reply {
  const [first, ...rest] = words(args);
  if (!first)
    return text(`⚠️ /${command} needs a post id, e.g. ${code(`/${command} 42`)} (ids are in /queue).`);
  const id = parsePostId(first);
  if (id === undefined)
    return text(
      `⚠️ "${esc(first)}" is not a post id; post ids are numbers such as ${code('42')} (see /queue).`,
    );
  if (rest.length > 0)
    return text(`⚠️ /${command} takes one post id at a time, e.g. ${code(`/${command} ${id}`)}.`);
  return id;
}

export function articleIdArg(command: string, args: string): number | Reply {
  const [first, ...rest] = words(args);
  if (!first)
    return text(`⚠️ /${command} needs an article id, e.g. ${code(`/${command} 12`)} (ids are in /articles).`);
  const id = parseArticleId(first);
  if (id === undefined)
    return text(
      `⚠️ "${esc(first)}" is not an article id; article ids are numbers such as ${code('12')} (see /articles).`,
    );
  if (rest.length > 0)
    return text(`⚠️ /${command} takes one article id at a time, e.g. ${code(`/${command} ${id}`)}.`);
  return id;
}
