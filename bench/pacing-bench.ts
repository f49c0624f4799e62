import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createTelegramPublisher } from '../src/adapters/telegram/create-telegram-publisher.js';
import { createSystemClock } from '../src/ports/clock.js';
import { createSilentLogger } from '../src/ports/logger.js';
import { isPublishError, type Publisher } from '../src/ports/publisher.js';
import { createPacer, type PacingLimits, pacePublisher } from '../src/use-cases/pace-publisher.js';
import { createFakeTelegramApi, DEFAULT_FAKE_TELEGRAM_TOKEN } from '../test/fakes/fake-telegram-api.js';

/**
 * Telegram pacing against a fake Bot API that enforces limits the way Telegram does (429 with
 * retry_after past them), scaled up so a run takes seconds: the fake counts sends in sliding
 * one-second windows, so the scale keeps its one-second window and raises the counts. Telegram's
 * real limits are one message a second per chat and 30 a second overall; here 40 a second per chat
 * (a 25 ms interval) and 300 a second overall, with 10 chats (so 400 a second of per-chat room and
 * the overall limit binding). The pacer is given exactly the limits the fake enforces.
 *
 * 1,000 posts go out through the real telegraf publisher, each chat's posts one after another as a
 * channel's slot would send them, all chats at once; then 400 over 4 chats, where the per-chat
 * limit binds instead. Figures: throughput as a share of the best any
 * client could do under these limits (the same schedule computed with no network at all), and how
 * many 429s the fake answered. Targets: at least 90 %, no 429.
 */

const CHATS = 10;
const POSTS = 1000;
const FAKE_LIMITS = { perChatPerSecond: 40, overallPerSecond: 300 };
const PACING: PacingLimits = { perChatIntervalMs: 25, perChatPerMinute: 40 * 60, overallPerSecond: 300 };

export async function runPacingBench(): Promise<void> {
  print(
    `pacing bench: fake Bot API enforcing ${FAKE_LIMITS.perChatPerSecond}/s per chat and ${FAKE_LIMITS.overallPerSecond}/s ` +
      `overall (sliding 1 s windows, 429 past them); pacer set to the same ` +
      `(${PACING.perChatIntervalMs} ms between messages to a chat, ${PACING.overallPerSecond}/s overall)`,
  );
  await scenario(`${POSTS} posts over ${CHATS} chats (the overall limit binds)`, CHATS, POSTS);
  await scenario('400 posts over 4 chats (the per-chat limit binds)', 4, 400);
}

async function scenario(title: string, chatCount: number, postCount: number): Promise<void> {
  const fake = createFakeTelegramApi({ rateLimit: FAKE_LIMITS });
  await fake.start();
  const clock = createSystemClock();
  try {
    print(`\n${title}`);
    const pacer = createPacer(PACING, clock);
    const chats = Array.from({ length: chatCount }, (_, i) => `@bench_chat_${i}`);
    const publishers = new Map<string, Publisher>(
      chats.map((chat) => [
        chat,
        pacePublisher(
          createTelegramPublisher({
            token: DEFAULT_FAKE_TELEGRAM_TOKEN,
            chatId: chat,
            apiRoot: fake.url,
            logger: createSilentLogger(),
            clock,
          }),
          pacer,
          chat,
        ),
      ]),
    );
    let refused = 0;
    const started = performance.now();
    await Promise.all(
      chats.map(async (chat, c) => {
        const publisher = publishers.get(chat)!;
        for (let n = 0; n < postCount / chatCount; n++) {
          for (;;) {
            // As publishPost does it: the chat's turn first, then the send, then "the send is over".
            const done = await publisher.awaitTurn!();
            try {
              await publisher.publish({ text: `post ${n + 1} to chat ${c}` });
              break;
            } catch (error) {
              if (!isPublishError(error) || error.reason !== 'rate-limited') throw error;
              // What the daemon would do: wait until Telegram says, then try again.
              refused++;
              await clock.sleep((error.retryAt?.getTime() ?? Date.now() + 1000) - Date.now());
            } finally {
              done();
            }
          }
        }
      }),
    );
    const wall = performance.now() - started;
    const sent = fake.sentMessages.map((m) => m.at.getTime()).sort((a, b) => a - b);
    const span = sent.at(-1)! - sent[0]!;
    const ideal = idealSpan(postCount, chatCount, PACING);
    const achieved = (postCount - 1) / (span / 1000);
    const best = (postCount - 1) / (ideal / 1000);
    print(`  delivered:        ${fake.sentMessages.length} messages in ${(wall / 1000).toFixed(2)} s`);
    print(
      `  throughput:       ${achieved.toFixed(0)} msg/s first to last arrival (${(span / 1000).toFixed(2)} s); ` +
        `best possible under these limits ${best.toFixed(0)} msg/s (${(ideal / 1000).toFixed(2)} s)`,
    );
    print(`  share of maximum: ${((100 * ideal) / span).toFixed(1)} % (target >= 90 %)`);
    print(`  429 answers:      ${fake.rateLimitedCount} (target 0); sends retried after a 429: ${refused}`);
  } finally {
    await fake.close();
  }
}

/**
 * The shortest time from the first to the last of `posts` sends under the limits, with no latency:
 * greedily give each send to the chat that may send soonest. Chats take turns, as in the run.
 */
function idealSpan(posts: number, chats: number, limits: PacingLimits): number {
  const perChat: number[][] = Array.from({ length: chats }, () => []);
  const overall: number[] = [];
  const left = Array<number>(chats).fill(posts / chats);
  const earliest = (c: number): number => {
    const sent = perChat[c]!;
    let t = 0;
    const last = sent.at(-1);
    if (last !== undefined) t = Math.max(t, last + limits.perChatIntervalMs);
    if (sent.length >= limits.perChatPerMinute)
      t = Math.max(t, sent[sent.length - limits.perChatPerMinute]! + 60_000);
    if (overall.length >= limits.overallPerSecond)
      t = Math.max(t, overall[overall.length - limits.overallPerSecond]! + 1000);
    return t;
  };
  for (let i = 0; i < posts; i++) {
    let pick = -1;
    let at = Number.POSITIVE_INFINITY;
    for (let c = 0; c < chats; c++) {
      if (left[c] === 0) continue;
      const t = earliest(c);
      if (t < at) {
        at = t;
        pick = c;
      }
    }
    perChat[pick]!.push(at);
    overall.push(at);
    left[pick] = left[pick]! - 1;
  }
  return Math.max(...overall) - Math.min(...overall);
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runPacingBench();
}
