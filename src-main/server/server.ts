import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { DOWNLOAD_PATH, IMAGE_PATH_PREFIX } from '../core/api/contract.js';
import { ApiService } from '../core/api/service.js';
import type { Db } from '../core/db/database.js';
import { packageRoot } from '../core/paths.js';
import { CONTENT_SECURITY_POLICY } from '../core/web/csp.js';
import { imageResponse } from '../core/web/image-routes.js';
import { contentType, resolveStatic } from '../core/web/static-files.js';

export const MAX_BODY_BYTES = 1 << 20;
const TOKEN_COOKIE = 'pie_audit_token';

export interface ServerOptions {
  db: Db;
  databasePath: string;
  port?: number;
  host?: string;
  /** Fixed token (tests); random otherwise. */
  token?: string;
  /** The built renderer; default out/renderer in the package. */
  rendererDir?: string;
}

export interface RunningServer {
  url: string;
  token: string;
  port: number;
  close: () => Promise<void>;
}

/**
 * Browser mode: the typed API over HTTP (POST /api/<method>, JSON) plus server-sent
 * events (GET /api/events), and the built renderer. Every request must carry the
 * random token (query on the first page load, then a strict same-site cookie, or a
 * Bearer header); the Host header must name this server, which stops DNS rebinding.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? crypto.randomBytes(24).toString('base64url');
  const host = options.host ?? '127.0.0.1';
  const rendererDir = options.rendererDir ?? path.join(packageRoot(), 'out', 'renderer');
  const service = new ApiService(options.db, { databasePath: options.databasePath, carrier: 'http' });
  const stopWatching = service.watchDatabase();
  const expected = Buffer.from(token);
  let port = 0;

  const authorized = (req: http.IncomingMessage, url: URL): { ok: boolean; viaQuery: boolean } => {
    const candidates: [string | undefined, boolean][] = [
      [url.searchParams.get('token') ?? undefined, true],
      [/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1], false],
      [parseCookies(req.headers.cookie)[TOKEN_COOKIE], false],
    ];
    for (const [value, viaQuery] of candidates) {
      if (value === undefined) continue;
      const given = Buffer.from(value);
      if (given.length === expected.length && crypto.timingSafeEqual(given, expected)) return { ok: true, viaQuery };
    }
    return { ok: false, viaQuery: false };
  };

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: `internal error: ${String(error)}`, kind: 'internal' });
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    const hostHeader = req.headers.host ?? '';
    if (!allowedHost(hostHeader, host, port)) {
      sendJson(res, 403, { error: 'forbidden host', kind: 'bad-request' });
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${hostHeader}`);
    } catch {
      sendJson(res, 400, { error: 'bad URL', kind: 'bad-request' });
      return;
    }
    const auth = authorized(req, url);
    if (!auth.ok) {
      sendJson(res, 401, { error: 'missing or wrong access token (open the URL that pie-audit serve printed)', kind: 'bad-request' });
      return;
    }
    if (auth.viaQuery) {
      res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }

    if (url.pathname === '/api/events') {
      if (req.method !== 'GET') return methodNotAllowed(res);
      res.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
      res.write(': connected\n\n');
      const off = service.onEvent((event) => res.write(`data: ${JSON.stringify(event)}\n\n`));
      req.on('close', off);
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return methodNotAllowed(res);
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        sendJson(res, 415, { error: 'API requests must be application/json', kind: 'bad-request' });
        return;
      }
      const body = await readBody(req, MAX_BODY_BYTES);
      if (body === 'too-large') {
        sendJson(res, 413, { error: `request body over ${MAX_BODY_BYTES} bytes`, kind: 'bad-request' }, true);
        return;
      }
      let payload: unknown;
      try {
        payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
      } catch {
        sendJson(res, 400, { error: 'request body is not valid JSON', kind: 'bad-request' });
        return;
      }
      const method = decodeURIComponent(url.pathname.slice('/api/'.length));
      const result = await service.call(method, payload);
      if (result.ok) sendJson(res, 200, { value: result.value });
      else sendJson(res, result.failure.kind === 'bad-request' ? 400 : 500, result.failure);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res);
    if (url.pathname.startsWith(IMAGE_PATH_PREFIX)) {
      const image = await imageResponse(service, url.pathname, url.searchParams);
      if (image.status !== 200) {
        sendJson(res, image.status, { error: image.error, kind: 'bad-request' });
        return;
      }
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': image.png.length, 'Cache-Control': 'private, max-age=3600' });
      res.end(req.method === 'HEAD' ? undefined : image.png);
      return;
    }
    if (url.pathname === DOWNLOAD_PATH) {
      await sendExport(service, url.searchParams, req, res);
      return;
    }
    const file = resolveStatic(rendererDir, url.pathname);
    if (!file) {
      if (url.pathname === '/' && !fs.existsSync(rendererDir)) {
        res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`The renderer is not built (${rendererDir} is missing): run npm run build.\n`);
        return;
      }
      sendJson(res, 404, { error: 'not found', kind: 'bad-request' });
      return;
    }
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': contentType(file) };
    if (file.endsWith('.html')) headers['Content-Security-Policy'] = CONTENT_SECURITY_POLICY;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file).pipe(res);
  }

  server.requestTimeout = 0; // the event stream is long-lived
  // A call may block the event loop for up to the busy timeout (5 s) while another
  // program writes; idle keep-alive sockets must outlive that, or the server closes one
  // just as the browser reuses it and the request fails in transit.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        stopWatching();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function allowedHost(header: string, host: string, port: number): boolean {
  const names = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  if (host !== '127.0.0.1' && host !== 'localhost') {
    // A widened bind (--host) is reached under names we cannot know in advance.
    return true;
  }
  return names.has(header.toLowerCase());
}

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return cookies;
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) return 'too-large';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...(close ? { Connection: 'close' } : {}) });
  res.end(text);
}

function methodNotAllowed(res: http.ServerResponse): void {
  sendJson(res, 405, { error: 'method not allowed', kind: 'bad-request' });
}

const EXPORT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

/**
 * GET /download/export?table=&format=[&experimentId=][&studyId=][&cieQuantile=][&positiveClass=]: the export as an attachment.
 * The file is written completely first (a temporary file, removed afterwards), so a
 * failure is a clean 400/500 with its reason rather than a truncated download.
 */
async function sendExport(service: ApiService, query: URLSearchParams, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const payload: Record<string, unknown> = {};
  for (const [key, value] of query) {
    if (key === 'token') continue;
    if ((key === 'experimentId' || key === 'studyId') && /^\d{1,12}$/.test(value)) payload[key] = Number(value);
    else if (key === 'cieQuantile' && /^\d*\.?\d+(e-?\d+)?$/i.test(value)) payload[key] = Number(value);
    else payload[key] = value;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pie-audit-export-'));
  try {
    const out = path.join(dir, 'export');
    const result = await service.exportToFile(payload, out);
    if (!result.ok) {
      sendJson(res, result.failure.kind === 'bad-request' ? 400 : 500, result.failure);
      return;
    }
    const format = String(payload.format);
    const ascii = result.fileName.replace(/[^\w.+-]/g, '_');
    res.writeHead(200, {
      'Content-Type': EXPORT_TYPES[format] ?? 'application/octet-stream',
      'Content-Length': fs.statSync(out).size,
      'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(result.fileName)}`,
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await new Promise<void>((resolve) => {
      const stream = fs.createReadStream(out);
      stream.on('error', () => {
        res.destroy();
        resolve();
      });
      res.on('close', () => resolve());
      stream.pipe(res);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
