import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveWithDns } from '../../src/adapters/http/checked-lookup.js';
import {
  createHttpFetcher,
  type HttpFetcherOptions,
  MAX_REDIRECTS,
} from '../../src/adapters/http/create-http-fetcher.js';
import { FetchError } from '../../src/ports/article-fetcher.js';

/**
 * The real fetcher against a real server on 127.0.0.1. That server is itself an internal address,
 * so by default every fetch of it must be refused without a connection; the positive cases reach it
 * through the allowlist, by the name `localhost` or by `news.example`, a made-up "outside" name that
 * an injected resolver points at 127.0.0.1 (the check still sees, and refuses, 127.0.0.1 itself).
 */
const SECRET = '<html><body><p>internal admin page: db password hunter2</p></body></html>';
const ARTICLE = '<html><head><title>Ferry</title></head><body><p>The ferry leaves at six.</p></body></html>';

let server: Server;
let port: number;
const requests: string[] = [];
let connections = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const hop = /^\/hop\/(\d+)$/.exec(path);
    if (hop) {
      const left = Number(hop[1]);
      res.writeHead(302, { location: left === 0 ? '/article' : `/hop/${left - 1}` }).end();
    } else if (path === '/article') res.writeHead(200, { 'content-type': 'text/html' }).end(ARTICLE);
    else if (path === '/secret') res.writeHead(200, { 'content-type': 'text/html' }).end(SECRET);
    else if (path === '/relative') res.writeHead(301, { location: 'article?from=relative' }).end();
    else if (path === '/article?from=relative')
      res.writeHead(200, { 'content-type': 'text/html' }).end(ARTICLE);
    else if (path === '/to-loopback')
      res.writeHead(302, { location: `http://127.0.0.1:${port}/secret` }).end();
    else if (path === '/to-localhost')
      res.writeHead(307, { location: `http://localhost:${port}/secret` }).end();
    else if (path === '/to-metadata')
      res.writeHead(308, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    else if (path === '/to-decimal')
      res.writeHead(302, { location: `http://2130706433:${port}/secret` }).end();
    else if (path === '/to-ftp') res.writeHead(302, { location: `ftp://127.0.0.1:${port}/secret` }).end();
    else if (path === '/to-file') res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    else if (path === '/no-location') res.writeHead(302).end();
    else if (path === '/big') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(5000)); // chunked: no content-length to go by
    } else if (path === '/declared-big')
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5000' }).end('x'.repeat(5000));
    else if (path === '/gzip')
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(gzipSync(ARTICLE));
    else if (path === '/gzip-bomb')
      res
        .writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' })
        .end(gzipSync(Buffer.alloc(1_000_000, 'a')));
    else if (path === '/pdf') res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.4');
    else if (path === '/hang') {
      // Never answers: the deadline has to end it.
    } else if (path === '/slow-body') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': '1000' });
      res.write('<p>the first part'); // and never the rest
    } else if (path === '/reset') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': '1000' });
      res.write('<p>cut off', () => req.socket.destroy());
    } else res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
  });
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests.length = 0;
  connections = 0;
});

/** `news.example` (with or without the root dot) is 127.0.0.1 here; other names go to the system. */
const resolverCalls: string[] = [];
async function testResolver(hostname: string): Promise<readonly LookupAddress[]> {
  resolverCalls.push(hostname);
  if (hostname === 'news.example' || hostname === 'news.example.')
    return [{ address: '127.0.0.1', family: 4 }];
  return resolveWithDns(hostname);
}

function fetcher(options: Partial<HttpFetcherOptions> = {}) {
  return createHttpFetcher({ timeoutMs: 5000, maxBytes: 2000, resolveHost: testResolver, ...options });
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FetchError);
  return (error as FetchError).message;
}

describe('outbound fetches refuse internal addresses', () => {
  const forms: [spelling: string, host: string, shownAs: string][] = [
    ['127.0.0.1', '127.0.0.1', '127.0.0.1'],
    ['localhost', 'localhost', 'localhost'],
    ['LOCALHOST (upper case)', 'LOCALHOST', 'localhost'],
    ['News.Example. (a name for 127.0.0.1, with a trailing dot)', 'News.Example.', 'news.example.'],
    ['decimal 2130706433', '2130706433', '127.0.0.1'],
    ['hex 0x7f000001', '0x7f000001', '127.0.0.1'],
    ['octal 0177.0.0.1', '0177.0.0.1', '127.0.0.1'],
    ['hex short 0x7f.1', '0x7f.1', '127.0.0.1'],
    ['short 127.1', '127.1', '127.0.0.1'],
    ['IPv6 [::1]', '[::1]', '[::1]'],
    ['IPv4-mapped [::ffff:127.0.0.1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]'],
    ['IPv4-mapped hex [::ffff:7f00:1]', '[::ffff:7f00:1]', '[::ffff:7f00:1]'],
    ['NAT64 [64:ff9b::127.0.0.1]', '[64:ff9b::127.0.0.1]', '[64:ff9b::7f00:1]'],
    ['cloud metadata 169.254.169.254', '169.254.169.254', '169.254.169.254'],
    ['private 10.0.0.1', '10.0.0.1', '10.0.0.1'],
    ['private 172.16.0.1', '172.16.0.1', '172.16.0.1'],
    ['private 192.168.1.1', '192.168.1.1', '192.168.1.1'],
    ['CGNAT 100.64.0.1', '100.64.0.1', '100.64.0.1'],
    ['link-local [fe80::1]', '[fe80::1]', '[fe80::1]'],
    ['unique local [fd00::1]', '[fd00::1]', '[fd00::1]'],
    ['unspecified 0.0.0.0', '0.0.0.0', '0.0.0.0'],
    ['unspecified [::]', '[::]', '[::]'],
    ['multicast 224.0.0.1', '224.0.0.1', '224.0.0.1'],
    ['broadcast 255.255.255.255', '255.255.255.255', '255.255.255.255'],
  ];

  it.each(forms)('%s is refused before any connection', async (_spelling, host, shownAs) => {
    const message = await failure(fetcher().fetch(`http://${host}:${port}/secret`));
    expect(message).toBe(`refused: internal address (${shownAs})`);
    expect(connections).toBe(0);
    expect(requests).toEqual([]);
  });

  it('refuses over https too, before any TLS handshake', async () => {
    expect(await failure(fetcher().fetch(`https://127.0.0.1:${port}/secret`))).toBe(
      'refused: internal address (127.0.0.1)',
    );
    expect(connections).toBe(0);
  });

  it('refuses a name whose DNS answer is internal, after one lookup and without connecting', async () => {
    resolverCalls.length = 0;
    expect(await failure(fetcher().fetch(`http://news.example:${port}/secret`))).toBe(
      'refused: internal address (news.example)',
    );
    expect(resolverCalls).toEqual(['news.example']);
    expect(connections).toBe(0);
  });

  it('refuses a name when any one of its addresses is internal', async () => {
    const mixed = createHttpFetcher({
      timeoutMs: 5000,
      maxBytes: 2000,
      resolveHost: async () => [
        { address: '93.184.215.14', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
    });
    expect(await failure(mixed.fetch(`http://two-faced.example:${port}/secret`))).toBe(
      'refused: internal address (two-faced.example)',
    );
    expect(connections).toBe(0);
  });

  it.each([
    ['ftp', `ftp://127.0.0.1:${21}/secret`],
    ['file', 'file:///etc/passwd'],
    ['data', 'data:text/html,<p>hi</p>'],
    ['javascript', 'javascript:alert(1)'],
    ['gopher', 'gopher://127.0.0.1:70/_GET'],
  ])('refuses a %s: URL', async (_scheme, url) => {
    expect(await failure(fetcher().fetch(url))).toBe(`${url}: only http and https URLs can be fetched`);
  });
});

describe('a redirect is checked like the first address', () => {
  const outside = () => fetcher({ allowInternalHosts: ['news.example'] });

  it.each([
    ['/to-loopback', '127.0.0.1'],
    ['/to-localhost', 'localhost'],
    ['/to-decimal', '127.0.0.1'],
    ['/to-metadata', '169.254.169.254'],
  ])('an allowed page redirecting (%s) to an internal host is refused there', async (path, shownAs) => {
    const url = `http://news.example:${port}${path}`;
    expect(await failure(outside().fetch(url))).toBe(
      `refused: internal address (${shownAs}, where ${url} redirects)`,
    );
    expect(requests).toEqual([path]);
  });

  it.each([
    ['/to-ftp', 'ftp:'],
    ['/to-file', 'file:'],
  ])('a redirect (%s) to another scheme is refused', async (path, scheme) => {
    const url = `http://news.example:${port}${path}`;
    expect(await failure(outside().fetch(url))).toBe(
      `${url}: redirects to a ${scheme} URL; only http and https URLs can be fetched`,
    );
    expect(requests).toEqual([path]);
  });

  it(`follows ${MAX_REDIRECTS} redirects and reports where it ended`, async () => {
    const page = await outside().fetch(`http://news.example:${port}/hop/${MAX_REDIRECTS - 1}`);
    expect(page.url).toBe(`http://news.example:${port}/article`);
    expect(Buffer.from(page.bytes).toString()).toBe(ARTICLE);
    expect(requests).toHaveLength(MAX_REDIRECTS + 1);
  });

  it(`stops after ${MAX_REDIRECTS} redirects`, async () => {
    const url = `http://news.example:${port}/hop/${MAX_REDIRECTS}`;
    expect(await failure(outside().fetch(url))).toBe(`${url}: more than ${MAX_REDIRECTS} redirects`);
    expect(requests).toHaveLength(MAX_REDIRECTS + 1);
    expect(requests).not.toContain('/article');
  });

  it('resolves a relative Location against the current URL', async () => {
    const page = await outside().fetch(`http://news.example:${port}/relative`);
    expect(page.url).toBe(`http://news.example:${port}/article?from=relative`);
  });

  it('says so when a redirect names no address', async () => {
    const url = `http://news.example:${port}/no-location`;
    expect(await failure(outside().fetch(url))).toBe(
      `${url}: the server answered 302 but named no new address`,
    );
  });
});

describe('allowInternalHosts lets named hosts through, and only those', () => {
  it('fetches an allowed name that resolves to loopback (case and trailing dot do not matter)', async () => {
    for (const [allowed, host] of [
      ['localhost', 'localhost'],
      ['LocalHost', 'LOCALHOST'],
      ['News.Example', 'news.EXAMPLE.'],
      ['news.example.', 'news.example'],
    ] as const) {
      const page = await fetcher({ allowInternalHosts: [allowed] }).fetch(`http://${host}:${port}/article`);
      expect(Buffer.from(page.bytes).toString()).toBe(ARTICLE);
      expect(page.contentType).toBe('text/html');
    }
  });

  it('an allowed name does not allow the address it resolves to, nor other names', async () => {
    const allowLocalhost = fetcher({ allowInternalHosts: ['localhost'] });
    expect(await failure(allowLocalhost.fetch(`http://127.0.0.1:${port}/secret`))).toBe(
      'refused: internal address (127.0.0.1)',
    );
    expect(await failure(allowLocalhost.fetch(`http://news.example:${port}/secret`))).toBe(
      'refused: internal address (news.example)',
    );
    expect(connections).toBe(0);
  });

  it('an allowed address literal is fetched, in the spelling the URL parser gives it', async () => {
    const page = await fetcher({ allowInternalHosts: ['127.0.0.1'] }).fetch(
      `http://2130706433:${port}/article`,
    );
    expect(page.url).toBe(`http://127.0.0.1:${port}/article`);
  });
});

describe('the limits of the port still hold on an allowed host', () => {
  const allowed = (options: Partial<HttpFetcherOptions> = {}) =>
    fetcher({ allowInternalHosts: ['news.example'], ...options });
  const at = (path: string) => `http://news.example:${port}${path}`;

  it('refuses a page over the size limit, declared or streamed', async () => {
    expect(await failure(allowed().fetch(at('/declared-big')))).toBe(
      `${at('/declared-big')}: the page is 5000 bytes, over the 2000-byte limit`,
    );
    expect(await failure(allowed().fetch(at('/big')))).toBe(
      `${at('/big')}: the page is over the 2000-byte limit`,
    );
  });

  it('decodes a gzip page, and counts the limit on what it decodes to', async () => {
    expect(Buffer.from((await allowed().fetch(at('/gzip'))).bytes).toString()).toBe(ARTICLE);
    expect(await failure(allowed().fetch(at('/gzip-bomb')))).toBe(
      `${at('/gzip-bomb')}: the page is over the 2000-byte limit`,
    );
  });

  it('refuses what is not an HTML or text page, and reports an error status', async () => {
    expect(await failure(allowed().fetch(at('/pdf')))).toBe(
      `${at('/pdf')}: is application/pdf, not an HTML or text page`,
    );
    expect(await failure(allowed().fetch(at('/gone')))).toBe(
      `${at('/gone')}: the server answered 404 Not Found`,
    );
  });

  it('says the same "could not fetch" for a closed port, a silent one, a reset and a stalled body', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const quick = allowed({ timeoutMs: 300 });
    const texts = [
      await failure(quick.fetch(`http://news.example:${closedPort}/article`)),
      await failure(quick.fetch(at('/hang'))),
      await failure(quick.fetch(at('/reset'))),
      await failure(quick.fetch(at('/slow-body'))),
    ].map((text) => text.replace(/http:\/\/[^\s:]+:\d+\/[^\s:]*/, 'URL'));
    expect(new Set(texts)).toEqual(
      new Set([
        'could not fetch URL: the site did not answer in full; try again later, or save the page and add the file',
      ]),
    );
  });

  it('gives up when the caller cancels', async () => {
    const controller = new AbortController();
    const pending = allowed().fetch(at('/hang'), controller.signal);
    controller.abort();
    expect(await failure(pending)).toMatch(/^could not fetch /);
  });
});
