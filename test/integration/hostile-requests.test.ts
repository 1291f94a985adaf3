import http from 'node:http';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiMethods } from '../../src-main/core/api/contract.js';
import { openDatabase, type Db } from '../../src-main/core/db/database.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { tempDir } from '../helpers/data.js';

function send(port: number, method: string, urlPath: string, headers: Record<string, string>, body?: Buffer | string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('hostile requests in browser mode (property-based, fixed seed)', () => {
  const dir = tempDir();
  let db: Db;
  let server: RunningServer;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    db = openDatabase(path.join(dir, 'fuzz.db'));
    server = await startServer({ db, databasePath: path.join(dir, 'fuzz.db'), rendererDir: path.join(dir, 'renderer') });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await server.close();
    db.close();
  });

  it('answers 10,000 random and malformed API calls with a client error or a value, never a crash', async () => {
    const auth = { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' };
    const statuses = new Map<number, number>();
    // Method names: real ones and junk; payloads: any JSON value, or bytes that are not JSON.
    const methodArb = fc.oneof(fc.constantFrom(...apiMethods), fc.string({ maxLength: 40 }), fc.constantFrom('__proto__', 'constructor', 'toString', '../app.info', '%2e%2e'));
    const payloadArb = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
      fc.record({ experimentId: fc.oneof(fc.integer(), fc.double(), fc.string()), imageIndex: fc.anything(), categories: fc.array(fc.string()) }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(methodArb, payloadArb, async (method, payload) => {
        const status = await send(server.port, 'POST', `/api/${encodeURIComponent(method)}`, auth, payload);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        return status === 200 || (status >= 400 && status < 500);
      }),
      { numRuns: 10_000, seed: 20261127 },
    );
    expect(unhandled).toEqual([]);
    // still answering
    expect(await send(server.port, 'POST', '/api/app.info', auth, '{}')).toBe(200);
    console.log(`fuzz: 10,000 calls, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  }, 300_000);

  it('refuses 1,000 random URLs without the token, and traversal in image and static paths', async () => {
    await fc.assert(
      fc.asyncProperty(fc.webPath(), fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), async (urlPath, method) => {
        const status = await send(server.port, method, urlPath.startsWith('/') ? urlPath : `/${urlPath}`, {});
        return status === 401 || status === 400 || status === 403;
      }),
      { numRuns: 1000, seed: 7 },
    );
    const auth = { Authorization: `Bearer ${server.token}` };
    for (const attempt of ['/image/../../etc/passwd', '/image/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/image/..%5c..%5cwindows', '/image/1%00.png', '/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd']) {
      const status = await send(server.port, 'GET', attempt, auth);
      expect([400, 404], attempt).toContain(status);
    }
  });
});
