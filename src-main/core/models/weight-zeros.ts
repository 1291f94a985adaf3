/**
 * Measured sparsity of a model file: exact zeros over every weight tensor of rank 2 or
 * more (kernels; biases and other vectors excluded), counted on the stored values.
 */
export interface ZeroCount {
  zeros: number;
  total: number;
}

export function addCounts(a: ZeroCount, b: ZeroCount): ZeroCount {
  return { zeros: a.zeros + b.zeros, total: a.total + b.total };
}

export function sparsityOf(count: ZeroCount): number {
  return count.total === 0 ? 0 : count.zeros / count.total;
}

/** Zeros among numbers (float or integer data held as JS numbers). */
export function countNumbers(values: ArrayLike<number>): ZeroCount {
  let zeros = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
  return { zeros, total: values.length };
}

/**
 * Zeros among little-endian elements of `size` bytes. A float element is zero when every
 * bit but the sign is 0 (+0 and -0); an integer element when every bit is 0.
 */
export function countRawBytes(bytes: Uint8Array, size: number, isFloat: boolean): ZeroCount {
  const total = Math.floor(bytes.length / size);
  let zeros = 0;
  for (let e = 0; e < total; e++) {
    const start = e * size;
    let zero = true;
    for (let b = 0; b < size && zero; b++) {
      // the sign bit is the top bit of the last (most significant) byte
      const byte = bytes[start + b] ?? 0;
      zero = (isFloat && b === size - 1 ? byte & 0x7f : byte) === 0;
    }
    if (zero) zeros++;
  }
  return { zeros, total };
}
