import { optionName, type Naming } from '../core/api/validate.js';
import { UserError } from '../core/errors.js';

/**
 * Reading options' text. Only the text is read here (a number, a comma list); ranges
 * and their messages are the API's schemas, checked with core/api/validate.ts.
 */

/** An option's text as a whole number; `kind` words the refusal of other text. */
export function wholeNumber(name: string, value: string | undefined, kind = 'a non-negative integer'): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UserError(`${name} must be ${kind}, not '${value}'`);
  return Number(value);
}

/** An option's text as a decimal number; `kind` words the refusal of other text. */
export function decimal(name: string, value: string | undefined, kind = 'a number'): number | undefined {
  if (value === undefined) return undefined;
  const parsed = /^\s*[0-9.eE+-]+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(parsed)) throw new UserError(`${name} must be ${kind}, not '${value}'`);
  return parsed;
}

/** A comma-separated option's items, blanks dropped. */
export function listItems(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * How a command names a request field and shows what was typed for it, for
 * checkRequest: `renamed` maps fields whose option is not their kebab-case name
 * (experimentId is --experiment); `kinds` words a field's "must" refusal as the
 * option's text reader does (by request field).
 */
export function optionNaming(flags: object, renamed: Record<string, string> = {}, kinds: Record<string, string> = {}): Required<Naming> {
  const flagKey = (path: readonly PropertyKey[]): string => {
    const key = String(path[0] ?? '');
    return renamed[key] ?? key;
  };
  return {
    name: (path) => optionName([flagKey(path)]),
    kind: (path) => kinds[String(path[0] ?? '')],
    shown: (path) => {
      const raw = (flags as Record<string, unknown>)[flagKey(path)];
      if (typeof raw !== 'string') return undefined;
      const index = path[1];
      return `'${typeof index === 'number' ? (listItems(raw)[index] ?? raw) : raw}'`;
    },
  };
}

/** How --cie-quantile's refusals word a good value (the range is the API's CieQuantile). */
export const CIE_QUANTILE_KIND = 'a number between 0 and 1 (exclusive)';
