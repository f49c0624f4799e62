import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestWithSettings } from '../../../adapters/document/ingest-with-settings.js';
import { redactUrl } from '../../../adapters/postgres/pg-store-error.js';
import type { Config } from '../../../config/load-config.js';
import { formatInZone, nextSlots } from '../../../domain/schedule.js';
import { enqueueArticle } from '../../../use-cases/enqueue-article.js';
import { dailyCapLeft } from '../../../use-cases/run-channel-slot.js';
import { createDaemon, type Daemon, heartbeatEvery } from '../../daemon/create-daemon.js';
import { startFeedsForRuntime } from '../../daemon/feed-polling.js';
import { type HeldRole, keepRole } from '../../daemon/keep-role.js';
import { isLoopbackHost, type OpsServer, OpsServerError, startOpsServer } from '../../ops/ops-server.js';
import type { Runtime } from '../../runtime/build-runtime.js';
import { adminBotForRuntime } from '../../telegram-bot/admin-bot-for-runtime.js';
import { parseCommandArgs } from '../args.js';
import { type CliContext, type StopSignals, stopSignals } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { openRuntime } from '../open-runtime.js';

/** The bundled example, found from wherever this code runs (src/ under tsx, or the dist/ bundle). */
export const EXAMPLE_ARTICLE = path.join(
  projectRoot(fileURLToPath(import.meta.url)),
  'examples/harbour-reopens.md',
);

function projectRoot(from: string): string {
  let dir = path.dirname(from);
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/**
 * `quotecast start`: the daemon. Each channel publishes on its own schedule until SIGINT/SIGTERM,
 * then the send in flight finishes, the store closes and the process exits 0. On the embedded
 * default settings with an empty queue it queues the bundled example article, so a newcomer sees
 * posts go out (to the console) within a minute.
 */
export async function startCommand(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs('start', args, {
    example: { type: 'boolean' },
    'no-example': { type: 'boolean' },
  });
  const config = ctx.config();
  const runtime = openRuntime(ctx, { exclusive: true, write: (text) => ctx.stdout.write(text) });
  // With LOG_FORMAT=json every line on standard error is a JSON object, these too, so a log
  // collector never meets a plain line; on a terminal they stay plain sentences.
  const say = (line: string) => {
    if (config.logFormat !== 'json') ctx.stderr.write(`${line}\n`);
    else if (line.startsWith('WARNING ')) runtime.logger.warn(line.slice('WARNING '.length));
    else runtime.logger.info(line);
  };
  for (const notice of config.notices) say(`NOTE ${notice}`);
  // Listen before anything slow starts: a SIGTERM during start-up still ends in a clean stop.
  const shutdown = waitForShutdown(stopSignals(ctx), ctx.stderr);
  let daemon: Daemon | undefined;
  let ops: OpsServer | undefined;
  let adminBot: ReturnType<typeof adminBotForRuntime>;
  let feeds: Awaited<ReturnType<typeof startFeedsForRuntime>> | undefined;
  const roles: HeldRole[] = [];
  const startAdminBot = async () => {
    if (!adminBot) return;
    try {
      const state = await adminBot.start();
      say(
        state === 'running'
          ? `Telegram admin bot is running for ${config.adminIds.length} admin(s); send it /help`
          : 'Telegram admin bot: Telegram cannot be reached yet; it keeps trying in the background (see the log); publishing goes on',
      );
    } catch (error) {
      say(
        `WARNING the Telegram admin bot did not start: ${(error as Error).message}; publishing goes on without it`,
      );
      adminBot = undefined;
    }
  };
  try {
    const usingDefaults = path.basename(config.configPath) === 'default.yaml';
    if (
      !values['no-example'] &&
      (values.example || (usingDefaults && (await runtime.store.listArticles(1)).length === 0))
    ) {
      await queueExample(runtime, say);
    }

    daemon = createDaemon({
      deps: runtime.deps,
      channels: config.channels,
      heartbeatSeconds: config.settings.store.leaseSeconds / 3,
      onSlot: async (channel, result) => {
        const [next] = nextSlots(channel.schedule, channel.zone, runtime.clock.now(), 1);
        const upcoming = await runtime.store.nextDue(channel.id, new Date(8.64e15));
        const why =
          result.kind === 'idle' ? ` (${result.why}${result.detail ? `: ${result.detail}` : ''})` : '';
        if (result.kind === 'published' || result.why !== 'nothing-due') {
          say(
            `[${channel.id}] ${result.kind === 'published' ? `${result.outcomes.length} post(s) handled` : 'nothing sent'}${why}; ` +
              `next slot ${next ? formatInZone(next, channel.zone) : 'never'}` +
              `${upcoming ? `, next post #${upcoming.id} (${upcoming.seq}/${upcoming.total})` : ', queue empty'}, ${await dailyCapLeft(runtime.deps, channel.id)} left today`,
          );
        }
      },
    });
    // The bot's notifier goes in before anything raises an alert, so posts left unknown by a crash
    // reach the admins with their buttons; polling starts after daemon.start().
    adminBot = adminBotForRuntime(runtime, daemon);
    if (adminBot) runtime.setNotifier(adminBot.notifier);
    ops = await openOpsServer(runtime, daemon, say);
    await daemon.start();
    // Feed polling and the admin bot run in one daemon at a time when several share a PostgreSQL
    // store (Telegram allows one poller per token); on SQLite this daemon plays both at once.
    const roleBeat = heartbeatEvery(config.settings.store.leaseSeconds / 3);
    const role = (name: string, onGained: () => Promise<void>, onLost: () => Promise<void>) =>
      keepRole({
        store: runtime.store,
        role: name,
        now: () => runtime.clock.now(),
        heartbeat: roleBeat,
        leaseMs: config.settings.store.leaseSeconds * 1000,
        logger: runtime.logger,
        onGained,
        onLost,
      });
    roles.push(
      await role(
        'feeds',
        async () => {
          feeds = await startFeedsForRuntime(runtime, say);
        },
        async () => {
          await feeds?.stop();
          feeds = undefined;
        },
      ),
    );
    if (adminBot) {
      const started = daemon;
      roles.push(
        await role(
          'admin-bot',
          async () => {
            // A bot stopped when another daemon took the role cannot start again: make a new one.
            adminBot ??= adminBotForRuntime(runtime, started);
            if (adminBot) runtime.setNotifier(adminBot.notifier);
            await startAdminBot();
          },
          async () => {
            await adminBot?.stop();
            adminBot = undefined;
          },
        ),
      );
      if (runtime.store.shared && !roles.at(-1)?.holds())
        say('Telegram admin bot: another daemon runs it; this one takes over if that one stops');
    }
    say(
      `quotecast is running with ${config.channels.length} channel(s) from ${path.relative(ctx.cwd, config.configPath)}; store ${storeName(config)}. Ctrl-C stops it.`,
    );
    await shutdown.requested;
    say('stopping: finishing the send in flight…');
  } catch (error) {
    // A start-up that failed half way must not leave a listening port, a poll or a timer behind
    // (the process would never exit, and the supervisor would never restart it).
    say(`stopping: start-up failed (${(error as Error).message})`);
    throw error;
  } finally {
    for (const held of roles) await held.stop();
    await adminBot?.stop();
    await feeds?.stop();
    await daemon?.stop();
    await ops?.close();
    await runtime.close();
    shutdown.dispose();
  }
  say('stopped cleanly');
  return 0;
}

/**
 * The health and metrics endpoints when `ops.port` is set. A port that cannot be had (in use,
 * forbidden) does not stop the daemon: publishing matters more than monitoring, and a supervisor
 * told not to restart on a configuration error would leave the newsroom with no posts at all. The
 * log and the admins are told; the health check then fails, which is what monitoring should see.
 */
async function openOpsServer(
  runtime: Runtime,
  daemon: Daemon,
  say: (line: string) => void,
): Promise<OpsServer | undefined> {
  const endpoint = runtime.config.ops;
  if (!endpoint) return undefined;
  try {
    const server = await startOpsServer(endpoint, runtime, daemon);
    say(`health and metrics on ${server.url} (/healthz, /metrics)`);
    if (!isLoopbackHost(endpoint.host))
      say(
        `WARNING health and metrics listen on ${endpoint.host}, reachable from other machines, and have no authentication: set ops.host to 127.0.0.1 unless a firewall keeps them to your monitoring`,
      );
    return server;
  } catch (error) {
    if (!(error instanceof OpsServerError)) throw error;
    say(`WARNING ${error.message}; publishing goes on without health and metrics`);
    void runtime.deps.notifier.alert({
      kind: 'info',
      text: `quotecast started without its health and metrics endpoints: ${error.message}. Publishing goes on; the health check of this installation fails until it is restarted with a free port.`,
    });
    return undefined;
  }
}

async function queueExample(runtime: Runtime, say: (line: string) => void): Promise<void> {
  const { config } = runtime;
  const outcome = ingestWithSettings(
    { bytes: readFileSync(EXAMPLE_ARTICLE), source: EXAMPLE_ARTICLE },
    config.settings,
  );
  if (!outcome.ok) throw new CliError(`the bundled example article is broken: ${outcome.problem.message}`);
  const { result, splits } = await enqueueArticle(runtime.store, {
    article: outcome.article,
    channels: config.channels,
    approved: true,
    now: runtime.clock.now(),
  });
  if (result.kind === 'thread-over-cap') say(`the bundled example was not queued: ${result.message}`);
  if (result.kind === 'queued') {
    const counts = splits.map((s) => `${s.channel.id}: ${s.result.selected.length}`).join(', ');
    say(
      `queued the bundled example article "${outcome.article.title}" (${counts} posts); add your own with: npm run quotecast -- add FILE`,
    );
  }
}

/** Resolves `requested` at the first SIGINT/SIGTERM; `dispose()` stops listening. */
function waitForShutdown(
  signals: StopSignals,
  stderr: NodeJS.WritableStream,
): { requested: Promise<void>; dispose(): void } {
  let dispose = () => {};
  const requested = new Promise<void>((resolve) => {
    // The first signal starts a clean stop. Under `npm start` a second copy follows at once (Ctrl-C
    // reaches npm and node, and npm forwards its own): one within a few seconds is the same request
    // and must not kill the send in flight. A signal sent later means "stop now": the process ends
    // with the signal's exit code, and a post it was sending is settled at the next start.
    let first: number | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (first === undefined) {
        first = Date.now();
        resolve();
      } else if (Date.now() - first > 3000) {
        stderr.write(`${signal} again: stopping now, without waiting for the send in flight\n`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
    };
    signals.on('SIGINT', onSignal);
    signals.on('SIGTERM', onSignal);
    dispose = () => {
      signals.off('SIGINT', onSignal);
      signals.off('SIGTERM', onSignal);
    };
  });
  return { requested, dispose };
}

/** Where the queue lives, for the start-up line (a PostgreSQL URL without its password). */
function storeName(config: Config): string {
  const { url, path: file } = config.settings.store;
  return url ? `${redactUrl(url)} (PostgreSQL, shared)` : file;
}
