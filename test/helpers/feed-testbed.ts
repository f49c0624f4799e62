import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createWorkerParser } from '../../src/adapters/parse-worker/create-worker-parser.js';
import type { DocumentParser } from '../../src/ports/document-parser.js';
import { createFakeFeedServer, type FakeFeedServer } from '../fakes/fake-feed-server.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';
import { createTempDir, type TempDir } from './temp-dir.js';

/** What each feed test gets: the file's parser, and per test a feed server, a folder and a clock. */
export interface FeedTestbed {
  readonly parser: DocumentParser;
  readonly server: FakeFeedServer;
  readonly dir: TempDir;
  readonly clock: FakeClock;
}

/**
 * Registers the hooks the feed tests share: one worker parser for the file (a worker takes about a
 * second to start), and for each test a started fake feed server, a temporary folder and a fake clock
 * at `start`, closed and removed after it. `use` receives them before each test. After-hooks run in
 * reverse order, so a file's own afterEach (closing its runtimes) runs before the folder goes.
 */
export function useFeedTestbed(
  options: { readonly dirPrefix: string; readonly start: string },
  use: (bed: FeedTestbed) => void,
): void {
  let parser: DocumentParser;
  let bed: FeedTestbed | undefined;
  beforeAll(() => {
    parser = createWorkerParser();
  });
  afterAll(async () => {
    await parser.close();
  });
  beforeEach(async () => {
    const server = createFakeFeedServer();
    await server.start();
    bed = { parser, server, dir: createTempDir(options.dirPrefix), clock: createFakeClock(options.start) };
    use(bed);
  });
  afterEach(async () => {
    await bed?.server.close();
    bed?.dir.remove();
    bed = undefined;
  });
}
