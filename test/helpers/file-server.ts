import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route =
  | { kind: 'file'; body: Buffer }
  /** Announces the whole length, sends the first `sent` bytes, then drops the connection. */
  | { kind: 'cut'; body: Buffer; sent: number }
  | { kind: 'status'; status: number };

/** A real HTTP server on 127.0.0.1 serving the routes given (path without the leading /). */
export async function startFileServer(routes: Map<string, Route>): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const name = (req.url ?? '/').replace(/^\//, '');
    requests.push(name);
    const route = routes.get(name);
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    if (route.kind === 'status') {
      res.writeHead(route.status).end();
      return;
    }
    res.writeHead(200, { 'Content-Length': route.body.length, 'Content-Type': 'application/octet-stream' });
    if (route.kind === 'file') {
      res.end(route.body);
      return;
    }
    res.write(route.body.subarray(0, route.sent), () => {
      setTimeout(() => res.socket?.destroy(), 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
