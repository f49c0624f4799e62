import type { AdminAlert, AlertAction } from '../../ports/notifier.js';
import type { StoredAlert } from '../../ports/post-store.js';

/** A row of the alerts table (migrations 2 and 6) with its delivered chats (`handled`, a JSON array). */
export interface AlertRow {
  id: number;
  kind: string;
  text: string;
  channel_id: string | null;
  post_id: number | null;
  action: string | null;
  created_at: number;
  handled: string | null;
}

/** A stored alert; `action` (migration 6) rides along for the admin bot's buttons. */
export function toStoredAlert(row: AlertRow): StoredAlert & Pick<AdminAlert, 'action'> {
  const action = parseAction(row.action);
  return {
    id: row.id,
    kind: row.kind as StoredAlert['kind'],
    text: row.text,
    channelId: row.channel_id,
    postId: row.post_id,
    ...(action ? { action } : {}),
    createdAt: new Date(row.created_at),
    handledChats: row.handled ? (JSON.parse(row.handled) as string[]) : [],
  };
}

/** The stored action, if it is one this version knows (an unknown one means no buttons, not a crash). */
function parseAction(json: string | null): AlertAction | undefined {
  if (json === null) return undefined;
  try {
    const value = JSON.parse(json) as Partial<Record<string, unknown>>;
    const id = (key: string) => Number.isSafeInteger(value[key]);
    if (value.kind === 'held-correction' && id('feedItemId')) return value as AlertAction;
    if (value.kind === 'feed-approval' && id('articleId')) return value as AlertAction;
    if (value.kind === 'vanished-item' && id('feedItemId') && id('articleId')) return value as AlertAction;
  } catch {}
  return undefined;
}
