import { get as httpGetRaw, type IncomingMessage } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeedFetcher } from '../../src/adapters/feeds/create-feed-fetcher.js';
import { createHttpFetcher } from '../../src/adapters/http/create-http-fetcher.js';
import { readBody } from '../../src/adapters/http/read-body.js';
import { FetchError } from '../../src/ports/article-fetcher.js';
import { createLoopbackServer, type LoopbackServer } from '../fakes/loopback-server.js';
import { rss, story } from '../fixtures/feeds/feed-documents.js';

/**
 * One body reader for both fetchers (src/adapters/http/read-body.ts): the article fetcher and the
 * feed fetcher decode the same encodings, stop at the same decoded size and call a body cut off
 * mid-way a failure, each in its own words. A real server on 127.0.0.1, allowed by name.
 */
const PAGE = `<html><body>${'<p>The ferry leaves at six, and the harbour master says so.</p>'.repeat(8)}</body></html>`;
const LIMIT = 4000;
let server: LoopbackServer;
let base: string;
let feedXml: string;

const ENCODINGS = {
  gzip: (b: Buffer) => gzipSync(b),
  'x-gzip': (b: Buffer) => gzipSync(b),
  deflate: (b: Buffer) => deflateSync(b),
  br: (b: Buffer) => brotliCompressSync(b),
  identity: (b: Buffer) => b,
} as const;

beforeAll(async () => {
  server = createLoopbackServer(
    'read-body server',
    async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const encoding = (url.searchParams.get('enc') ?? 'identity') as keyof typeof ENCODINGS;
      const type = url.pathname.startsWith('/feed') ? 'application/rss+xml' : 'text/html';
      if (url.pathname.endsWith('/bomb')) {
        res.writeHead(200, { 'content-type': type, 'content-encoding': 'gzip' });
        res.end(gzipSync(Buffer.alloc(1_000_000, 'a')));
      } else if (url.pathname.endsWith('/cut')) {
        // Declares more than it sends, then drops the connection: no error event, an incomplete body.
        res.writeHead(200, { 'content-type': type, 'content-length': '3000' });
        res.write('<rss><channel><title>half');
        await server.sleep(20);
        res.socket?.destroy();
      } else {
        const raw = Buffer.from(url.pathname.startsWith('/feed') ? feedXml : PAGE);
        res.writeHead(200, { 'content-type': type, 'content-encoding': encoding });
        res.end(ENCODINGS[encoding](raw));
      }
    },
    (res) => res.destroy(),
  );
  base = await server.listen();
  feedXml = rss([story(1, base), story(2, base, { body: '<p>Short.</p>' })], base);
});
afterAll(() => server.close());

function getResponse(path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => httpGetRaw(`${base}${path}`, resolve).on('error', reject));
}

const articles = () =>
  createHttpFetcher({ timeoutMs: 5000, maxBytes: LIMIT, allowInternalHosts: ['127.0.0.1'] });
const feeds = () =>
  createFeedFetcher({
    timeoutMs: 5000,
    maxBytes: LIMIT,
    allowInternalHosts: ['127.0.0.1'],
    userAgent: 'quotecast test',
    now: () => new Date(Date.UTC(2026, 0, 1)),
  });

describe('readBody', () => {
  it.each(Object.keys(ENCODINGS))('decodes a %s body to the bytes that were sent', async (encoding) => {
    const body = await readBody(
      await getResponse(`/page?enc=${encoding}`),
      LIMIT,
      new AbortController().signal,
    );
    expect(body.kind === 'ok' && Buffer.from(body.bytes).toString()).toBe(PAGE);
  });

  it('counts the limit on decoded bytes, and calls a body that stops short cut', async () => {
    const signal = new AbortController().signal;
    expect(await readBody(await getResponse('/page/bomb'), LIMIT, signal)).toEqual({ kind: 'too-large' });
    expect(await readBody(await getResponse('/page/cut'), LIMIT, signal)).toEqual({ kind: 'cut' });
  });

  it('stops when the caller gives up', async () => {
    const controller = new AbortController();
    const response = await getResponse('/page/cut');
    controller.abort();
    expect(await readBody(response, LIMIT, controller.signal)).toEqual({ kind: 'cut' });
  });
});

describe('both fetchers read bodies through it', () => {
  it.each(['gzip', 'br', 'deflate'])(
    'the article fetcher and the feed fetcher both decode %s',
    async (enc) => {
      const page = await articles().fetch(`${base}/page?enc=${enc}`);
      expect(Buffer.from(page.bytes).toString()).toBe(PAGE);
      const feed = await feeds().fetch({ url: `${base}/feed?enc=${enc}` });
      expect(feed.kind === 'ok' && feed.items.map((i) => i.title)).toEqual([
        'Story number 2',
        'Story number 1',
      ]);
    },
  );

  it('both refuse a gzip bomb at the decoded limit and call a cut body a failure, in their own words', async () => {
    const refusal = async (url: string) => {
      const error = await articles()
        .fetch(url)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(FetchError);
      return (error as FetchError).message;
    };
    expect(await refusal(`${base}/page/bomb`)).toBe(
      `${base}/page/bomb: the page is over the ${LIMIT}-byte limit`,
    );
    expect(await refusal(`${base}/page/cut`)).toMatch(/^could not fetch .*did not answer in full/);
    expect(await feeds().fetch({ url: `${base}/feed/bomb` })).toEqual({
      kind: 'error',
      message: `${base}/feed/bomb: the feed is over the ${LIMIT}-byte limit (input.maxBytes)`,
    });
    expect(await feeds().fetch({ url: `${base}/feed/cut` })).toEqual({
      kind: 'error',
      message: `could not fetch ${base}/feed/cut: the answer was cut off`,
    });
  });
});
