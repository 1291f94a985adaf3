import { Random } from '../random.js';

/**
 * The random draws of the corruptions, from the project's seeded generator. Each image
 * gets its own stream, seeded from (seed, corruption, severity, image index), so an
 * image's corrupted copy never depends on which other images were corrupted with it.
 */
export class Draws extends Random {
  /** Standard normal (Box-Muller; one value per call, the second is dropped so draws stay in step). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Poisson(lambda) by Knuth's product of uniforms; lambda here is at most 60. */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** Integer uniform in [low, high) (numpy's randint convention). */
  integer(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low));
  }

  uniform(low: number, high: number): number {
    return low + this.next() * (high - low);
  }

  sign(): 1 | -1 {
    return this.next() < 0.5 ? -1 : 1;
  }
}

/** A 32-bit seed for one image's stream (FNV-1a over the four numbers). */
export function imageSeed(seed: number, corruption: number, severity: number, imageIndex: number): number {
  let h = 0x811c9dc5;
  for (const v of [seed, corruption, severity, imageIndex]) {
    for (let shift = 0; shift < 32; shift += 8) {
      h ^= (v >>> shift) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h >>> 0;
}
