import { expect } from 'vitest';
import { expectMatchesResponseSchema } from './response-schema.js';

/** Where a browser-mode server listens and the token it wants (RunningServer has both). */
export interface ServerAddress {
  port: number;
  token: string;
}

export interface ApiCallResult {
  status: number;
  json: Record<string, unknown>;
}

/**
 * The typed API over HTTP as the renderer calls it in browser mode: POST /api/<method>
 * with the token. `server` is read at each call, so a client can be made before the
 * server starts.
 */
export function apiClient(server: () => ServerAddress): {
  call: (method: string, body: unknown) => Promise<ApiCallResult>;
  value: <T>(method: string, body: unknown) => Promise<T>;
  get: (urlPath: string) => Promise<Response>;
} {
  const call = async (method: string, body: unknown): Promise<ApiCallResult> => {
    const { port, token } = server();
    const response = await fetch(`http://127.0.0.1:${port}/api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  /** The call's value; fails the test unless it answered 200 with what its response schema says. */
  const value = async <T>(method: string, body: unknown): Promise<T> => {
    const r = await call(method, body);
    expect(r.status, `${method}: ${JSON.stringify(r.json)}`).toBe(200);
    expectMatchesResponseSchema(method, r.json.value);
    return r.json.value as T;
  };
  const get = (urlPath: string): Promise<Response> => {
    const { port, token } = server();
    return fetch(`http://127.0.0.1:${port}${urlPath}`, { headers: { Authorization: `Bearer ${token}` } });
  };
  return { call, value, get };
}
