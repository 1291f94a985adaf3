/**
 * Cell parsers for prediction files. They return a sentinel (-1 or NaN) instead of
 * throwing, because they run once per cell on millions of rows; the caller words the
 * error with the file, line and column.
 */

const MAX_INT32 = 0x7fffffff;

/**
 * A label or image index: a non-negative integer, written as digits, optionally with
 * a zero fraction (pandas writes "3.0" when a column holds floats). -1 when invalid.
 */
export function parseNonNegativeInt(text: string): number {
  const length = text.length;
  let value = 0;
  let i = 0;
  for (; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  if (i === 0 || value > MAX_INT32) return -1;
  if (i < length) {
    if (text.charCodeAt(i) !== 46) return -1; // '.'
    for (i++; i < length; i++) if (text.charCodeAt(i) !== 48) return -1;
  }
  return value;
}

/** A number as JavaScript reads it, but blank text is not 0. NaN when invalid. */
export function parseNumber(text: string): number {
  const value = Number(text);
  if (value === 0 && text.trim() === '') return NaN;
  return value;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * parseNumber, faster for the plain decimals ("0.8765432") that fill prediction files.
 * With at most 15 digits, the digits and the power of ten are both exact doubles and
 * one IEEE division rounds correctly, so the result is the double Number() gives.
 * Anything else (signs, exponents, more digits) goes to parseNumber.
 */
export function parseDecimal(text: string): number {
  const length = text.length;
  // 17 characters or more cannot be a plain decimal of at most 15 digits (one point at
  // most); float32 probabilities printed in full are 17 to 19 long, so they skip the scan.
  if (length > 16) return parseNumber(text);
  let mantissa = 0;
  let digits = 0;
  let scale = -1; // digits after the point; -1 before a point is seen
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (scale >= 0) scale++;
    } else if (c === 46 && scale < 0) {
      scale = 0;
    } else {
      return parseNumber(text);
    }
  }
  if (digits === 0 || digits > 15) return parseNumber(text);
  return scale <= 0 ? mantissa : mantissa / (POWERS_OF_TEN[scale] as number);
}

/** A probability in [0, 1]; NaN when invalid (including NaN, inf and blank cells). */
export function parseProbability(text: string): number {
  const value = parseDecimal(text);
  return value >= 0 && value <= 1 ? value : NaN;
}

/** A target sparsity in [0, 1); NaN when invalid. */
export function parseSparsity(text: string): number {
  const value = parseNumber(text);
  return value >= 0 && value < 1 ? value : NaN;
}

/** An integer seed (may be negative); undefined when the text is not one. */
export function parseSeed(text: string): number | undefined {
  if (!/^\s*[+-]?\d+(\.0*)?\s*$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Quotes a cell for an error message, shortened so the message stays one line. */
export function quoteCell(text: string): string {
  const clean = text.replace(/[\r\n\t]+/g, ' ');
  return `'${clean.length > 40 ? `${clean.slice(0, 37)}...` : clean}'`;
}
