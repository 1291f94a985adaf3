/** The TensorFlow.js backends, by preference. Kept apart from backend.ts so naming one does not load TensorFlow.js. */
export type BackendName = 'tfjs-node' | 'wasm' | 'cpu';
export const BACKENDS: BackendName[] = ['tfjs-node', 'wasm', 'cpu'];
