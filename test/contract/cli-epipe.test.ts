import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, REPO_ROOT, spawnQuotecast } from '../helpers/quotecast-process.js';
import { createTempDir } from '../helpers/temp-dir.js';

/**
 * `quotecast split FILE | head -1`: the reader closes its end of the pipe after the first line. That
 * must end the CLI quietly (EPIPE is not a crash), as it does for any Unix tool.
 */

const dir = createTempDir('quotecast-epipe-');
afterAll(() => dir.remove());

/** An article whose text listing (every candidate quote) is far larger than a pipe's 64 KiB buffer. */
function longArticle(): string {
  const paragraphs = Array.from({ length: 400 }, (_, p) =>
    Array.from(
      { length: 4 },
      (_, s) => `Sentence ${p}-${s} says the harbour reopened after ${s + 2} long winters of work.`,
    ).join(' '),
  );
  return ['The harbour story', '', ...paragraphs.flatMap((p) => [p, ''])].join('\n');
}

describe('a closed standard output', () => {
  it('split piped into a reader that leaves after the first chunk ends quietly', {
    timeout: 60_000,
  }, async () => {
    const file = dir.file('long.txt');
    writeFileSync(file, longArticle());
    const run = spawnQuotecast(['split', file, '--platform', 'twitter'], {
      env: childEnv({ QUOTECAST_CONFIG: join(REPO_ROOT, 'config/default.yaml') }),
      cwd: dir.path,
    });
    const stdout = run.child.stdout!;
    let read = 0;
    // Like `head -1`: read the first chunk, then close our end while the CLI is still writing.
    stdout.once('data', (chunk: Buffer | string) => {
      read = chunk.length;
      stdout.destroy();
    });
    const result = await run.exited;

    expect(read).toBeGreaterThan(0);
    expect(run.stdout().split('\n')[0]).toBe('The harbour story');
    expect(result.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
    // Exit 0, or death by SIGPIPE as a C tool would: never a crash with exit code 1.
    expect(result.code === 0 || result.signal === 'SIGPIPE').toBe(true);
  });
});
