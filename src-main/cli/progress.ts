import cliProgress from 'cli-progress';
import type { DownloadProgress } from '../core/datasets/download.js';

/**
 * Download progress on stderr: a bar with speed and time left on a terminal; a line
 * every 10% otherwise (logs and CI).
 */
export function downloadProgressReporter(stream: NodeJS.WriteStream = process.stderr): {
  update: (p: DownloadProgress) => void;
  stop: () => void;
} {
  if (stream.isTTY) {
    let bar: cliProgress.SingleBar | undefined;
    let current = '';
    return {
      update(p) {
        if (p.file !== current) {
          bar?.stop();
          current = p.file;
          bar = new cliProgress.SingleBar(
            { format: `${p.file} [{bar}] {percentage}% | {value}/{total} bytes | ETA {eta_formatted}`, stream },
            cliProgress.Presets.shades_classic,
          );
          bar.start(p.total ?? 0, 0);
        }
        bar?.update(p.received);
      },
      stop() {
        bar?.stop();
      },
    };
  }
  let lastDecile = new Map<string, number>();
  return {
    update(p) {
      if (p.total === undefined || p.total === 0) return;
      const decile = Math.floor((10 * p.received) / p.total);
      if ((lastDecile.get(p.file) ?? -1) < decile) {
        lastDecile.set(p.file, decile);
        stream.write(`${p.file}: ${decile * 10}% of ${p.total} bytes\n`);
      }
    },
    stop() {
      lastDecile = new Map();
    },
  };
}
