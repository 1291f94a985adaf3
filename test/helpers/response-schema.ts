import { expect } from 'vitest';
import { apiContract, isApiMethod } from '../../src-main/core/api/contract.js';

/**
 * Fails the test unless `value` is exactly what the contract says `method` answers:
 * it parses, and parsing drops nothing (zod strips unknown keys, so an extra field
 * shows up as a difference).
 */
export function expectMatchesResponseSchema(method: string, value: unknown): void {
  expect(isApiMethod(method), `${method} is a method of the contract`).toBe(true);
  if (!isApiMethod(method)) return;
  const parsed = apiContract[method].response.safeParse(value);
  const issue = parsed.success ? undefined : parsed.error.issues[0];
  expect(issue, `${method}'s response against its schema: ${issue?.path.join('.')} ${issue?.message}`).toBeUndefined();
  expect(parsed.data, `${method}'s response has no field its schema lacks`).toEqual(value);
}
