import type { ChannelSettings } from '../config/config-schema.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Notifier } from '../ports/notifier.js';
import type { PostStore } from '../ports/post-store.js';
import type { Publisher } from '../ports/publisher.js';

/** What publishing needs; built once by the app (daemon, bot or publish script). */
export interface PublishDeps {
  readonly store: PostStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly notifier: Notifier;
  /** One publisher per channel id. */
  readonly publishers: ReadonlyMap<string, Publisher>;
  readonly channels: readonly (ChannelSettings & { readonly zone: string })[];
  readonly retry: {
    readonly maxAttempts: number;
    readonly baseDelaySeconds: number;
    readonly maxDelaySeconds: number;
    /** How long a request that may have reached the platform is given to land before a re-send. */
    readonly settleSeconds?: number;
  };
  /** Seeded in tests, Math.random in production. */
  readonly random: () => number;
}

export function channelById(deps: Pick<PublishDeps, 'channels'>, id: string) {
  return deps.channels.find((c) => c.id === id);
}
