/**
 * Issue 17, item 2: folder datasets with hostile and broken files. Each is refused with
 * a line naming the file (the database byte-identical) or, for a second copy of an
 * image, skipped with a warning naming both; memory stays bounded while refusing
 * decompression bombs.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { dbSnapshot, tempDir, writeIdxPair } from '../helpers/data.js';
import { jpegBomb, pngBomb, smallJpeg, smallPng, truncatedJpeg, writeRawName } from '../helpers/hostile-images.js';

let dir: string;
let db: string;

/** A dataset folder: class a with two good images, class b with one good image and `extra`. */
async function folderWith(name: string, extra: (b: string) => void | Promise<void>): Promise<string> {
  const root = path.join(dir, name);
  fs.mkdirSync(path.join(root, 'a'), { recursive: true });
  fs.mkdirSync(path.join(root, 'b'), { recursive: true });
  fs.writeFileSync(path.join(root, 'a', 'a1.png'), await smallPng(1));
  fs.writeFileSync(path.join(root, 'a', 'a2.jpg'), await smallJpeg(2));
  fs.writeFileSync(path.join(root, 'b', 'b1.png'), await smallPng(3));
  await extra(path.join(root, 'b'));
  return root;
}

async function expectRefused(folder: string, message: RegExp): Promise<string> {
  const before = dbSnapshot(db);
  const result = await runCli(['--db', db, 'datasets', 'add', 'folder', '--name', 'hostile', '--from', folder]);
  expect(result.code, result.stdout).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(lines[0]).toMatch(/\(nothing was imported\)$/);
  expect(dbSnapshot(db)).toBe(before);
  return lines[0] ?? '';
}

function imagesOf(name: string): { label: number; path: string }[] {
  const handle = new Database(db, { readonly: true });
  try {
    return handle
      .prepare('SELECT i.label, i.path FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE d.name = ? ORDER BY i.idx')
      .all(name) as { label: number; path: string }[];
  } finally {
    handle.close();
  }
}

beforeAll(async () => {
  dir = tempDir('pie-audit-hostile-');
  db = path.join(dir, 'hostile.db');
  const pair = writeIdxPair(dir, 'base', 6);
  const add = await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'base', '--images', pair.images, '--labels', pair.labels]);
  expect(add.code, add.stderr).toBe(0);
});

describe('hostile and broken folder datasets', () => {
  it('refuses a PNG declaring 100,000 x 100,000 pixels before decoding it', async () => {
    const folder = await folderWith('png-bomb', (b) => fs.writeFileSync(path.join(b, 'bomb.png'), pngBomb(100_000, 100_000)));
    expect(fs.statSync(path.join(folder, 'b', 'bomb.png')).size).toBeLessThan(2_000);
    await expectRefused(folder, /png-bomb\/b\/bomb\.png: declares 100000 x 100000 pixels, more than the 40000000 an image may have/);
  });

  it('refuses a JPEG declaring 65,500 x 65,500 pixels (the largest libjpeg reads)', async () => {
    const folder = await folderWith('jpeg-bomb', async (b) => fs.writeFileSync(path.join(b, 'bomb.jpg'), await jpegBomb(65_500, 65_500)));
    await expectRefused(folder, /jpeg-bomb\/b\/bomb\.jpg: declares 65500 x 65500 pixels, more than the 40000000 an image may have/);
  });

  it('refuses a symlink that leads outside the folder, and a class folder linked from outside', async () => {
    const secret = path.join(dir, 'outside-secret.png');
    fs.writeFileSync(secret, await smallPng(9));
    const folder = await folderWith('symlink-out', (b) => fs.symlinkSync(secret, path.join(b, 'escape.png')));
    await expectRefused(folder, /symlink-out\/b\/escape\.png: symlink leads outside the dataset folder \(to .*outside-secret\.png\)/);

    const outsideClass = path.join(dir, 'outside-class');
    fs.mkdirSync(outsideClass);
    fs.writeFileSync(path.join(outsideClass, 'x.png'), await smallPng(10));
    const linkedClass = await folderWith('class-link-out', () => undefined);
    fs.symlinkSync(outsideClass, path.join(linkedClass, 'c'));
    await expectRefused(linkedClass, /class-link-out\/c: symlink leads outside the dataset folder/);
  });

  it('refuses a dangling symlink', async () => {
    const folder = await folderWith('dangling', (b) => fs.symlinkSync(path.join(b, 'gone.png'), path.join(b, 'dangling.png')));
    await expectRefused(folder, /dangling\/b\/dangling\.png: broken symlink \(ENOENT\)/);
  });

  it('refuses a 0-byte file', async () => {
    const folder = await folderWith('zero', (b) => fs.writeFileSync(path.join(b, 'empty.png'), ''));
    await expectRefused(folder, /zero\/b\/empty\.png: empty file \(0 bytes\)/);
  });

  it('refuses a non-image with an image extension, and an image in another format', async () => {
    const text = await folderWith('not-image', (b) => fs.writeFileSync(path.join(b, 'notes.jpg'), 'just some text, not a JPEG at all\n'.repeat(20)));
    await expectRefused(text, /not-image\/b\/notes\.jpg: unreadable image \(.*unsupported image format\)/);
    const webp = await folderWith('webp-as-png', async (b) => {
      const bytes = await (await import('sharp')).default({ create: { width: 8, height: 8, channels: 3, background: '#123456' } }).webp().toBuffer();
      fs.writeFileSync(path.join(b, 'really-webp.png'), bytes);
    });
    await expectRefused(webp, /webp-as-png\/b\/really-webp\.png: unreadable image \(webp data, not PNG or JPEG\)/);
  });

  it('refuses a truncated JPEG', async () => {
    const folder = await folderWith('truncated', async (b) => fs.writeFileSync(path.join(b, 'cut.jpg'), await truncatedJpeg()));
    // libvips words the reason differently from run to run (seen: "premature end of JPEG file", "Unknown error"): the file and "unreadable image" are what is asserted.
    await expectRefused(folder, /truncated\/b\/cut\.jpg: unreadable image \(.+\)/i);
  });

  it('refuses a file name that is not valid UTF-8, naming it with the bad byte escaped', async () => {
    const png = await smallPng(7);
    const folder = await folderWith('latin1-name', (b) => writeRawName(b, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x70, 0x6e, 0x67]), png)); // "café.png" in Latin-1
    await expectRefused(folder, /latin1-name\/b\/caf\\xe9\.png: file name is not valid UTF-8; rename it/);
  });

  it('names three problem files and counts the rest when a folder holds several', async () => {
    const folder = await folderWith('many', async (b) => {
      fs.writeFileSync(path.join(b, 'bomb.png'), pngBomb(100_000, 100_000));
      fs.writeFileSync(path.join(b, 'empty.png'), '');
      fs.writeFileSync(path.join(b, 'cut.jpg'), await truncatedJpeg());
      fs.writeFileSync(path.join(b, 'notes.jpg'), 'text');
      fs.writeFileSync(path.join(b, 'jbomb.jpg'), await jpegBomb(65_500, 65_500));
    });
    const line = await expectRefused(folder, /; and 2 more problem files \(nothing was imported\)$/);
    expect(line.split('; ')).toHaveLength(4);
  });

  it('keeps one copy of identical images, warning about the others; follows a symlink inside the folder', async () => {
    const twin = await smallPng(42);
    const folder = await folderWith('copies', (b) => {
      fs.writeFileSync(path.join(b, 'twin-1.png'), twin);
      fs.writeFileSync(path.join(b, 'twin-2.png'), twin);
      fs.writeFileSync(path.join(path.dirname(b), 'a', 'twin-3.png'), twin);
      fs.symlinkSync(path.join(b, 'b1.png'), path.join(b, 'inside-link.png'));
    });
    const result = await runCli(['--db', db, 'datasets', 'add', 'folder', '--name', 'copies', '--from', folder]);
    expect(result.code, result.stderr).toBe(0);
    // a/twin-3.png comes first (class a, then b), so the copies in b are skipped; the link is
    // a copy of b1.png as well.
    expect(result.stderr.trim().split('\n').sort()).toEqual([
      `warning: ${path.join(folder, 'b', 'inside-link.png')}: same content as ${path.join(folder, 'b', 'b1.png')}; skipped`,
      `warning: ${path.join(folder, 'b', 'twin-1.png')}: same content as ${path.join(folder, 'a', 'twin-3.png')}, in another class; skipped`,
      `warning: ${path.join(folder, 'b', 'twin-2.png')}: same content as ${path.join(folder, 'a', 'twin-3.png')}, in another class; skipped`,
    ]);
    expect(result.stdout).toContain('added copies: 4 images (0 train, 4 test), 2 classes');
    expect(imagesOf('copies').map((i) => [i.label, path.basename(i.path)])).toEqual([
      [0, 'a1.png'],
      [0, 'a2.jpg'],
      [0, 'twin-3.png'],
      [1, 'b1.png'],
    ]);
  });

  it('refuses the bombs with bounded memory (peak resident set of the whole command)', async () => {
    if (!fs.existsSync('/usr/bin/time')) return; // GNU time measures the child's peak; absent on some CI images
    const folder = await folderWith('bombs-memory', async (b) => {
      for (let i = 0; i < 8; i++) fs.writeFileSync(path.join(b, `bomb-${i}.png`), pngBomb(100_000, 100_000));
      for (let i = 0; i < 8; i++) fs.writeFileSync(path.join(b, `bomb-${i}.jpg`), await jpegBomb(65_500, 65_500));
    });
    const peakKb = await new Promise<number>((resolve, reject) => {
      const child = spawn('/usr/bin/time', ['-f', 'peak-kb %M', process.execPath, BIN, '--db', db, 'datasets', 'add', 'folder', '--name', 'bombs', '--from', folder], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        expect(code).toBe(1);
        expect(err).toMatch(/bomb-0\.jpg: declares 65500 x 65500 pixels/);
        resolve(Number(/peak-kb (\d+)/.exec(err)?.[1]));
      });
    });
    // Decoding one bomb would need 30 GB (PNG) or 12.9 GB (JPEG); the command's own baseline
    // (Node, tsx, sharp, SQLite) is about 110 MB here.
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb).toBeLessThan(400 * 1024);
    console.log(`peak resident set refusing 16 bombs: ${Math.round(peakKb / 1024)} MB`);
  });
});
