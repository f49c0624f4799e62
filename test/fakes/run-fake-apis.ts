/**
 * Runs both loopback fakes on fixed ports so the daemon or the CLI can be tried end to end without
 * real accounts: `npm run fake-apis`, paste the printed lines into .env, start quotecast, watch the
 * posts arrive here. Ctrl-C stops it. Reading process.env is fine in this test script.
 */
import { createFakeTelegramApi, DEFAULT_FAKE_TELEGRAM_TOKEN } from './fake-telegram-api.js';
import { createFakeXApi } from './fake-x-api.js';

const xPort = Number(process.env['FAKE_X_PORT'] ?? 8787);
const telegramPort = Number(process.env['FAKE_TELEGRAM_PORT'] ?? 8788);

const x = createFakeXApi({ port: xPort });
const telegram = createFakeTelegramApi({ port: telegramPort });

const xUrl = (await x.start()).url;
const telegramUrl = (await telegram.start()).url;

process.stdout.write(
  [
    `fake X API          ${xUrl}`,
    `fake Telegram API   ${telegramUrl}`,
    '',
    'Put this in .env (any non-empty credentials work; the fakes only check that they are there):',
    '',
    `TWITTER_API_ROOT=${xUrl}`,
    'TWITTER_APP_KEY=fake-app-key',
    'TWITTER_APP_SECRET=fake-app-secret',
    'TWITTER_ACCESS_TOKEN=fake-access-token',
    'TWITTER_ACCESS_SECRET=fake-access-secret',
    `TELEGRAM_API_ROOT=${telegramUrl}`,
    `TELEGRAM_BOT_TOKEN=${DEFAULT_FAKE_TELEGRAM_TOKEN}`,
    '',
    'Waiting for posts (Ctrl-C to stop)...',
    '',
  ].join('\n'),
);

x.onTweet((tweet) => {
  const reply = tweet.replyTo === undefined ? '' : ` (reply to ${tweet.replyTo})`;
  process.stdout.write(`[X] tweet ${tweet.id}${reply}, ${tweet.authKind}:\n${indent(tweet.text)}\n`);
});

telegram.onMessage((message) => {
  const reply = message.replyTo === undefined ? '' : ` (reply to ${message.replyTo})`;
  const mode = message.parseMode === undefined ? '' : `, ${message.parseMode}`;
  process.stdout.write(
    `[Telegram] ${message.method} to ${message.chatId}, message ${message.messageId}${reply}${mode}:\n${indent(message.shownText)}\n`,
  );
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping fakes...\n');
  await Promise.all([x.close(), telegram.close()]);
  process.exit(0);
}

process.on('SIGINT', () => {
  stop().catch(() => process.exit(1));
});
process.on('SIGTERM', () => {
  stop().catch(() => process.exit(1));
});

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
