import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_FILE, fusedAdamSource } from '../../scripts/build-fused-adam.js';

describe('the fused Adam kernel as committed', () => {
  it('is what scripts/build-fused-adam.ts compiles from fused-adam.wat today', async () => {
    expect(fs.readFileSync(GENERATED_FILE, 'utf8')).toBe(await fusedAdamSource());
  });
});
