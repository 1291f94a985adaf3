import type { ApiService } from '../api/service.js';
import { STRIP_MAX_IDS } from '../api/image-strip.js';

const IMAGE_PATH = /^\/image\/(\d{1,15})\.png$/;
const STRIP_PATH = '/image/strip.png';
const STRIP_IDS = new RegExp(`^\\d{1,15}(,\\d{1,15}){0,${STRIP_MAX_IDS - 1}}$`);

export type ImageResponse = { status: 200; png: Buffer } | { status: 400 | 404; error: string };

/**
 * GET /image/<images.id>.png?size=thumb|full, and GET /image/strip.png?ids=<id>,<id>,...
 * (up to STRIP_MAX_IDS thumbnails in one PNG, for the grid): ids only, never a path.
 * Both carriers answer image URLs through this one function.
 */
export async function imageResponse(service: ApiService, pathname: string, query: URLSearchParams): Promise<ImageResponse> {
  if (pathname === STRIP_PATH) {
    const ids = query.get('ids') ?? '';
    if (!STRIP_IDS.test(ids)) return { status: 400, error: `strip URLs are /image/strip.png?ids=<id>,<id>,... (1 to ${STRIP_MAX_IDS} ids)` };
    const png = await service.imageStripPng(ids.split(',').map(Number));
    return png ? { status: 200, png } : { status: 404, error: 'none of these images exists' };
  }
  const match = IMAGE_PATH.exec(pathname);
  const size = query.get('size') ?? 'thumb';
  if (!match || (size !== 'thumb' && size !== 'full')) return { status: 400, error: 'image URLs are /image/<id>.png?size=thumb|full' };
  const png = await service.imagePng(Number(match[1]), size);
  return png ? { status: 200, png } : { status: 404, error: `no image ${match[1]}` };
}
