import type { InstanceMethods, PacedSend } from '../../ports/post-store.js';
import type { Synchronous } from './synchronous.js';

/**
 * The sharing part of the port on SQLite, where one daemon holds the file lock (acquire-store-lock.ts):
 * there is no other instance to share with. Every slot and role is granted, and the pacing windows
 * live in this process's memory: the same answers a shared store gives a lone daemon.
 */
export function createSingleInstance(): Synchronous<InstanceMethods> {
  const sends = new Map<number, PacedSend & { account: string }>();
  let nextSendId = 1;
  return {
    instanceId: `sqlite-${process.pid}`,
    shared: false,
    heartbeat: () => {},
    claimSlot: () => true,
    releaseSlot: () => {},
    claimRole: () => true,
    releaseRole: () => {},
    reserveSend: (account, chat, now, windowMs, wait) => {
      for (const [id, send] of sends)
        if (send.doneAt !== undefined && send.doneAt.getTime() <= now.getTime() - windowMs) sends.delete(id);
      const ofAccount: PacedSend[] = [...sends.values()]
        .filter((send) => send.account === account)
        .map(({ chat, startedAt, doneAt }) => ({ chat, startedAt, doneAt }));
      const waitMs = wait(ofAccount);
      if (waitMs > 0) return { waitMs };
      const sendId = nextSendId++;
      sends.set(sendId, { account, chat, startedAt: now, doneAt: undefined });
      return { sendId };
    },
    finishSend: (sendId, now) => {
      const send = sends.get(sendId);
      if (send && send.doneAt === undefined) sends.set(sendId, { ...send, doneAt: now });
    },
  };
}
