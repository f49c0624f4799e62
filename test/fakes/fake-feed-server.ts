import type { IncomingHttpHeaders } from 'node:http';
import { createLoopbackServer } from './loopback-server.js';

/** What one path answers; change it between polls to make the feed change. */
export interface FeedRoute {
  status?: number;
  body?: string;
  contentType?: string;
  /** Sent as ETag; a request whose If-None-Match equals it gets 304. */
  etag?: string;
  headers?: Record<string, string>;
  /** Answers given before the route's own, one per request (a run of 500s, a 429 with Retry-After). */
  queue?: { status: number; headers?: Record<string, string>; body?: string }[];
}

export interface FeedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly status: number;
}

export interface FakeFeedServer {
  readonly url: string;
  readonly routes: Map<string, FeedRoute>;
  readonly requests: FeedRequest[];
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A loopback web server serving feeds and article pages that a test writes and rewrites. */
export function createFakeFeedServer(): FakeFeedServer {
  const routes = new Map<string, FeedRoute>();
  const requests: FeedRequest[] = [];
  let url = '';
  const server = createLoopbackServer(
    'fake feed server',
    async (req, res) => {
      // Routes are paths: a link's query (tracking parameters) does not change the page.
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      const route = routes.get(path);
      const answer = (status: number, headers: Record<string, string>, body = '') => {
        requests.push({ path, headers: req.headers, status });
        res.writeHead(status, headers).end(body);
      };
      if (!route) return answer(404, { 'content-type': 'text/plain' }, 'not found');
      const queued = route.queue?.shift();
      if (queued) return answer(queued.status, queued.headers ?? {}, queued.body ?? '');
      const status = route.status ?? 200;
      const headers: Record<string, string> = {
        'content-type': route.contentType ?? 'application/rss+xml; charset=utf-8',
        ...(route.etag ? { etag: route.etag } : {}),
        ...route.headers,
      };
      if (route.etag && req.headers['if-none-match'] === route.etag) return answer(304, headers);
      answer(status, headers, route.body ?? '');
    },
    (res) => {
      if (!res.headersSent) res.writeHead(500).end();
    },
  );
  return {
    get url() {
      return url;
    },
    routes,
    requests,
    async start() {
      url = await server.listen();
    },
    close: () => server.close(),
  };
}
