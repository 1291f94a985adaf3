/** The TensorFlow.js backends, by preference. Kept apart from backend.ts so naming one does not load TensorFlow.js. */
export const BACKENDS = ['tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
