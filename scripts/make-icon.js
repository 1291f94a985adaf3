#!/usr/bin/env node
// build/icon.png (1024 x 1024), the packaged app's icon on Linux, macOS and Windows
// (electron-builder derives the .icns and .ico from it), rendered from the favicon so both
// stay one drawing. Run again after changing src-renderer/public/favicon.svg.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const svg = path.join(root, 'src-renderer', 'public', 'favicon.svg');
const png = path.join(root, 'build', 'icon.png');

// 32-unit viewBox at 32 x 32 density 72 -> 1024 px needs density 72 * 32.
await sharp(svg, { density: 72 * 32 }).resize(1024, 1024).png({ compressionLevel: 9 }).toFile(png);
process.stdout.write(`${path.relative(root, png)}\n`);
