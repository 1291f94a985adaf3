/**
 * `node --import ./register.mjs out/main/index.js`: installs the loader hook before the
 * built main bundle is loaded, so its `import ... from "electron"` gets the recording
 * stub instead of the real package (whose binary cannot run here).
 */
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
