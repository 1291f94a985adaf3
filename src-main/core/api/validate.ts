import type { z } from 'zod';
import { UserError } from '../errors.js';

/**
 * The one place a request's problems are put into words, for the API and the command
 * line alike; the ranges and the wording of each field live in its schema (the
 * contract). A message that starts with "must" speaks of the field ("--models must be
 * 1..1000, not 0"); any other speaks of a value in it ("--sparsities: 1.5 is not a
 * sparsity in [0, 1)").
 */
export interface Naming {
  /** The field's name as its caller knows it (the API's path, the command's option). */
  name: (path: readonly PropertyKey[]) => string;
  /** The value as the caller gave it (the command line's text), when it differs from the parsed one. */
  shown?: (path: readonly PropertyKey[]) => string | undefined;
  /**
   * What the caller calls a good value of the field, when it words a "must" refusal its
   * own way (the command line's --cie-quantile "must be a number between 0 and 1
   * (exclusive)", the same words as its refusal of text that is no number).
   */
  kind?: (path: readonly PropertyKey[]) => string | undefined;
}

/** A command-line option's name for a request field: `trainLimit` is --train-limit, `longTail.ratio` is --long-tail. */
export function optionName(path: readonly PropertyKey[]): string {
  return `--${String(path[0] ?? 'request').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The first problem of a payload against a schema, in one line; undefined when it is good. */
export function requestProblem(schema: z.ZodType, payload: unknown, naming: Naming): string | undefined {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  if (!issue) return 'bad request';
  const shown = naming.shown?.(issue.path) ?? show(valueAt(payload, issue.path));
  const name = naming.name(issue.path);
  const kind = naming.kind?.(issue.path);
  if (issue.message.startsWith('must')) return `${name} ${kind === undefined ? issue.message : `must be ${kind}`}, not ${shown}`;
  if (issue.path.length > 1 && typeof issue.path[issue.path.length - 1] === 'number') return `${name}: ${shown} ${issue.message}`;
  return `${name}: ${issue.message}`;
}

/** The payload as its schema parses it; a UserError naming the field and the reason otherwise. */
export function checkRequest<S extends z.ZodType>(schema: S, payload: unknown, naming: Naming): z.output<S> {
  const problem = requestProblem(schema, payload, naming);
  if (problem !== undefined) throw new UserError(problem);
  return schema.parse(payload);
}

function valueAt(payload: unknown, path: readonly PropertyKey[]): unknown {
  let value = payload;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value.slice(0, 60)}'` : String(JSON.stringify(value) ?? value);
}
