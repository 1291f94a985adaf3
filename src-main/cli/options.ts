import { optionName } from '../core/api/validate.js';
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

/** A comma-separated option's items, blanks dropped. */
export function listItems(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * How a command names a request field and shows what was typed for it, for
 * checkRequest: `renamed` maps fields whose option is not their kebab-case name
 * (experimentId is --experiment).
 */
export function optionNaming(flags: object, renamed: Record<string, string> = {}): { name: (path: readonly PropertyKey[]) => string; shown: (path: readonly PropertyKey[]) => string | undefined } {
  const flagKey = (path: readonly PropertyKey[]): string => {
    const key = String(path[0] ?? '');
    return renamed[key] ?? key;
  };
  return {
    name: (path) => optionName([flagKey(path)]),
    shown: (path) => {
      const raw = (flags as Record<string, unknown>)[flagKey(path)];
      if (typeof raw !== 'string') return undefined;
      const index = path[1];
      return `'${typeof index === 'number' ? (listItems(raw)[index] ?? raw) : raw}'`;
    },
  };
}
