import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import type { OpsEndpoint } from '../../config/load-config.js';
import type { Daemon } from '../daemon/create-daemon.js';
import type { Runtime } from '../runtime/build-runtime.js';
import { checkHealth } from './health.js';
import { createOpsMetrics } from './metrics.js';

export interface OpsServer {
  /** `http://127.0.0.1:9464`, with the port actually taken (port 0 picks one). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listening failed for a reason the operator fixes in the settings (port taken, host not ours). */
export class OpsServerError extends Error {
  override readonly name = 'OpsServerError';
}

/**
 * The daemon's health and metrics over plain HTTP (node:http): GET /healthz (JSON, 200 healthy or 503
 * not) and GET /metrics (Prometheus text). No authentication: keep it on loopback, or behind a
 * network that only the monitoring can reach.
 */
export async function startOpsServer(
  endpoint: OpsEndpoint,
  runtime: Runtime,
  daemon: Pick<Daemon, 'health'>,
): Promise<OpsServer> {
  const registry = createOpsMetrics(runtime, () => daemon.health());
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      runtime.logger.error('health and metrics request failed', { error: (error as Error).message });
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else response.destroy();
    });
  });
  // A probe that opens a connection and says nothing must not hold a socket for ever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://ops').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return send(response, 405, 'text/plain; charset=utf-8', 'only GET and HEAD\n');
    }
    if (path === '/healthz') {
      const report = await checkHealth(runtime, daemon.health());
      return send(
        response,
        report.status === 'ok' ? 200 : 503,
        'application/json; charset=utf-8',
        `${JSON.stringify(report, null, 2)}\n`,
      );
    }
    if (path === '/metrics') return send(response, 200, registry.contentType, await registry.metrics());
    return send(response, 404, 'text/plain; charset=utf-8', 'not found; try /healthz or /metrics\n');
  }

  await listen(server, endpoint);
  const { port } = server.address() as AddressInfo;
  const host = isIP(endpoint.host) === 6 ? `[${endpoint.host}]` : endpoint.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections of a scraper would hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

function listen(server: ReturnType<typeof createServer>, endpoint: OpsEndpoint): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      server.off('listening', listening);
      reject(new OpsServerError(listenProblem(endpoint, error), { cause: error }));
    };
    const listening = () => {
      server.off('error', failed);
      resolve();
    };
    server.once('error', failed);
    server.once('listening', listening);
    server.listen(endpoint.port, endpoint.host);
  });
}

function listenProblem({ host, port }: OpsEndpoint, error: NodeJS.ErrnoException): string {
  const where = `health and metrics cannot listen on ${host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `${where}: the port is in use (another quotecast, or another program); set ops.port (or QUOTECAST_OPS_PORT) to a free port, or remove it to turn the endpoints off`;
    case 'EACCES':
      return `${where}: not allowed (ports below 1024 need privileges); set ops.port (or QUOTECAST_OPS_PORT) to 1024 or above, e.g. 9464`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${where}: ${host} is not an address of this machine; set ops.host to 127.0.0.1 (or 0.0.0.0 for every interface)`;
    default:
      return `${where}: ${error.message}; check ops.host and ops.port`;
  }
}

/** Loopback only: 127.0.0.0/8, ::1, localhost (and IPv4-mapped loopback). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.toLowerCase().replace(/^::ffff:/, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}
