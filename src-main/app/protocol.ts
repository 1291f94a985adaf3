/**
 * Serves the built renderer on app://renderer/ instead of file://, so the page has a
 * real origin ('self' in the CSP means exactly these files) and every response carries
 * the same Content-Security-Policy header as browser mode. Paths are confined to the
 * renderer folder by core's resolveStatic, as in browser mode (no .., no encoded escapes).
 */
import fs from 'node:fs/promises';
import { protocol } from 'electron';
import { IMAGE_PATH_PREFIX } from '../core/api/contract.js';
import type { ApiService } from '../core/api/service.js';
import { CONTENT_SECURITY_POLICY } from '../core/web/csp.js';
import { imageResponse } from '../core/web/image-routes.js';
import { contentType, resolveStatic } from '../core/web/static-files.js';
import { APP_SCHEME, RENDERER_HOST } from './channels.js';

/**
 * Must run before app 'ready'. Electron honours only one call of
 * registerSchemesAsPrivileged, so any future scheme (e.g. for images) belongs here too.
 */
export function registerPrivilegedSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

/**
 * app://renderer/<file> serves the built renderer; app://renderer/image/<id>.png serves
 * the database's images by images.id (as browser mode's /image/ route does): the
 * request names an id, never a file, so nothing outside the database can be read.
 */
export function serveRenderer(rendererDir: string, service: ApiService): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const headers = { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' };
    if (url.host !== RENDERER_HOST || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return new Response('not found', { status: 404, headers });
    }
    if (url.pathname.startsWith(IMAGE_PATH_PREFIX)) {
      const image = await imageResponse(service, url.pathname, url.searchParams);
      if (image.status !== 200) return new Response(image.error, { status: image.status, headers });
      const body = request.method === 'HEAD' ? null : new Uint8Array(image.png);
      return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': 'image/png', 'Cache-Control': 'private, max-age=3600' } });
    }
    const file = resolveStatic(rendererDir, url.pathname);
    if (!file) return new Response('not found', { status: 404, headers });
    const body = request.method === 'HEAD' ? null : await fs.readFile(file);
    return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': contentType(file) } });
  });
}
