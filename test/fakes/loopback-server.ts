import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** The part every loopback fake shares: a real HTTP server on 127.0.0.1 that closes promptly. */
export interface LoopbackServer {
  /** Listens on 127.0.0.1 (port 0: any free port) and returns `http://127.0.0.1:<port>`. */
  listen(port?: number): Promise<string>;
  /** Destroys every open socket (hanging requests included), clears timers, stops listening. */
  close(): Promise<void>;
  /** A delay that `close()` cancels, so a closed fake leaves nothing pending. */
  sleep(ms: number): Promise<void>;
  /** Timers of the fake's own (long polls); cleared by `close()`. */
  readonly timers: Set<NodeJS.Timeout>;
}

export function createLoopbackServer(
  name: string,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  onError: (res: ServerResponse, error: unknown) => void,
): LoopbackServer {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => onError(res, error));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    timers,
    async listen(port = 0) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error(`${name}: no TCP address`);
      return `http://127.0.0.1:${address.port}`;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    sleep(ms) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      });
    },
  };
}
