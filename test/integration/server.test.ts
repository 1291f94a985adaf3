import os from 'node:os';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/core/db/database.js';
import { startServer, type RunningServer, MAX_BODY_BYTES } from '../../src-main/server/server.js';
import { tempDir } from '../helpers/data.js';

/** Raw HTTP, so paths are sent exactly as written (fetch would normalise ../). */
function request(
  port: number,
  { method = 'GET', path: urlPath = '/', headers = {}, body }: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** POST headers declaring a body that is never sent; resolves with the whole answer. */
function declaredOnly(port: number, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/datasets.list', headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

/**
 * POST a chunked body of up to `total` bytes, 64 KiB at a time, each chunk after the last
 * one was handed to the socket; stops writing when the answer's status line arrives and
 * resolves with it. An error before that answer rejects (it is not taken for a 413).
 */
function streamUntilAnswered(port: number, headers: Record<string, string>, total: number): Promise<{ status: number; sentBytes: number }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    let sentBytes = 0;
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/datasets.list', headers: { ...headers, 'Transfer-Encoding': 'chunked' } }, (res) => {
      answered = true;
      res.resume();
      resolve({ status: res.statusCode ?? 0, sentBytes });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const next = (): void => {
      if (answered || req.destroyed) return;
      if (sentBytes >= total) {
        req.end();
        return;
      }
      sentBytes += chunk.length;
      req.write(chunk, () => setImmediate(next));
    };
    next();
  });
}

describe('browser-mode server', () => {
  const dir = tempDir();
  let db: Db;
  let server: RunningServer;
  const renderer = path.join(dir, 'renderer');
  let auth: Record<string, string>;

  beforeAll(async () => {
    fs.mkdirSync(path.join(renderer, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>PIE Audit</title>');
    fs.writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside the renderer');
    db = openDatabase(path.join(dir, 'server.db'));
    server = await startServer({ db, databasePath: path.join(dir, 'server.db'), rendererDir: renderer });
    auth = { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' };
  });
  afterAll(async () => {
    await server.close();
    db.close();
  });

  it('prints a loopback URL carrying a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
  });

  it('refuses requests without the token or with a wrong one', async () => {
    expect((await request(server.port, { path: '/' })).status).toBe(401);
    expect((await request(server.port, { path: '/?token=wrong' })).status).toBe(401);
    const api = await request(server.port, { method: 'POST', path: '/api/datasets.list', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer nope' }, body: '{}' });
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body).error).toMatch(/missing or wrong access token/);
  });

  it('serves the page with the token, sets a strict cookie and a CSP, and accepts the cookie afterwards', async () => {
    const page = await request(server.port, { path: `/?token=${server.token}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>PIE Audit</title>');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self';/);
    // images: the app's own, and data: images (the Image view's corrupted copies); nothing from elsewhere
    expect(page.headers['content-security-policy']).toMatch(/img-src 'self' data:;/);
    expect(page.headers['content-security-policy']).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const asset = await request(server.port, { path: '/assets/app.js', headers: { Cookie: cookie.split(';')[0] ?? '' } });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/text\/javascript/);
  });

  it('refuses path traversal in every spelling', async () => {
    for (const attempt of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/assets%2f..%2f..%2fsecret.txt', '/%252e%252e/secret.txt', '/%00index.html']) {
      const res = await request(server.port, { path: attempt, headers: auth });
      expect([400, 404], attempt).toContain(res.status);
      expect(res.body).not.toContain('outside the renderer');
    }
  });

  it('refuses the event stream and the download route without the token or with a wrong one', async () => {
    for (const urlPath of ['/api/events', '/download/export?table=models&format=csv', '/image/1.png']) {
      for (const headers of [{}, { Authorization: 'Bearer wrong' }, { Cookie: 'pie_audit_token=wrong' }] as Record<string, string>[]) {
        const res = await request(server.port, { path: urlPath, headers });
        expect(res.status, `${urlPath} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
      }
    }
    // With the token the download answers (here: a clean refusal, the database has no experiment).
    const download = await request(server.port, { path: '/download/export?table=models&format=csv', headers: auth });
    expect(download.status).not.toBe(401);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const res = await request(server.port, { path: '/', headers: { ...auth, Host: 'evil.example:80' } });
    expect(res.status).toBe(403);
  });

  it('answers API calls and validates their payloads', async () => {
    const list = await request(server.port, { method: 'POST', path: '/api/datasets.list', headers: auth, body: '{}' });
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body)).toEqual({ value: [] });
    const info = await request(server.port, { method: 'POST', path: '/api/app.info', headers: auth, body: '{}' });
    expect(JSON.parse(info.body).value).toMatchObject({ carrier: 'http', databasePath: path.join(dir, 'server.db'), cores: os.availableParallelism() });
    const unknown = await request(server.port, { method: 'POST', path: '/api/nope', headers: auth, body: '{}' });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body).error).toMatch(/unknown API method/);
    const invalid = await request(server.port, { method: 'POST', path: '/api/datasets.addKnown', headers: auth, body: '{"kind":"imagenet"}' });
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body).error).toMatch(/datasets\.addKnown: invalid kind/);
    const badJson = await request(server.port, { method: 'POST', path: '/api/datasets.list', headers: auth, body: '{"' });
    expect(badJson.status).toBe(400);
    const wrongType = await request(server.port, { method: 'POST', path: '/api/datasets.list', headers: { Authorization: auth.Authorization ?? '', 'Content-Type': 'text/plain' }, body: '{}' });
    expect(wrongType.status).toBe(415);
    const get = await request(server.port, { method: 'GET', path: '/api/datasets.list', headers: auth });
    expect(get.status).toBe(405);
  });

  it('refuses a body declared over the limit before reading it, and keeps answering', async () => {
    // Only the headers are sent, so the server has nothing unread to reset on: the answer is read whole.
    const res = await declaredOnly(server.port, { ...auth, 'Content-Length': String(MAX_BODY_BYTES + 10) });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ error: `request body over ${MAX_BODY_BYTES} bytes`, kind: 'bad-request' });
    const after = await request(server.port, { method: 'POST', path: '/api/datasets.list', headers: auth, body: '{}' });
    expect(after.status).toBe(200);
  });

  it('refuses a streamed body once it passes the limit, and keeps answering', async () => {
    // Chunked, no declared length: the server must count. The answer is taken as soon as it
    // arrives; a reset or error before any answer fails the test.
    const res = await streamUntilAnswered(server.port, auth, MAX_BODY_BYTES * 4);
    expect(res.status).toBe(413);
    expect(res.sentBytes).toBeGreaterThan(MAX_BODY_BYTES);
    expect(res.sentBytes).toBeLessThan(MAX_BODY_BYTES * 4); // the server answered before the client ran out of body
    const after = await request(server.port, { method: 'POST', path: '/api/datasets.list', headers: auth, body: '{}' });
    expect(after.status).toBe(200);
  });
});
