/**
 * Issue 17, item 6: the packaged app's Electron fuses. electron-builder cannot run to the
 * end here (it downloads Electron), so the test checks the configuration through
 * electron-builder's own loader and the afterPack guard (scripts/after-pack.js) against
 * a fuse wire flipped by electron-builder's own code (generateFuseConfig, then
 * @electron/fuses' flipFuses) in a stand-in binary: a few bytes holding the sentinel and
 * the wire as Electron 40 lays them out, the only part of the binary the fuses touch.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Configuration } from 'app-builder-lib';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/data.js';

const require = createRequire(import.meta.url);
const builderRequire = createRequire(require.resolve('electron-builder/package.json'));
const libRequire = createRequire(builderRequire.resolve('app-builder-lib/package.json'));

interface FusesModule {
  flipFuses(binary: string, config: object): Promise<number>;
}
interface FuseConstants {
  SENTINEL: string;
  FuseState: { ENABLE: number; DISABLE: number };
}
interface AfterPackModule {
  REQUIRED_FUSES: Record<string, boolean>;
  checkFuseConfig(electronFuses: unknown): string[];
  checkFuseWire(binary: string): Promise<string[]>;
}
/** electron-builder's fuse config builder, a method that reads nothing of its packager. */
interface FuseConfigBuilder {
  generateFuseConfig(fuses: NonNullable<Configuration['electronFuses']>): Promise<object>;
}

const { getConfig } = builderRequire('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: Configuration | null): Promise<Configuration>;
};
const { PlatformPackager } = builderRequire('app-builder-lib') as { PlatformPackager: { prototype: FuseConfigBuilder } };
const fuses = libRequire('@electron/fuses') as FusesModule;
const { SENTINEL, FuseState } = libRequire('@electron/fuses/dist/constants.js') as FuseConstants;

let config: Configuration;
let guard: AfterPackModule;

beforeAll(async () => {
  config = await getConfig(ROOT, null, null);
  guard = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'after-pack.js')).href)) as AfterPackModule;
});

/** A stand-in Electron binary: padding, the sentinel, wire version 1, 8 fuses as Electron ships them. */
function standInBinary(dir: string): string {
  // Electron's defaults: RunAsNode on, cookie encryption off, NODE_OPTIONS on, inspect on,
  // ASAR integrity off, only-from-ASAR off, browser V8 snapshot off, file:// privileges on.
  const { ENABLE: on, DISABLE: off } = FuseState;
  const wire = [on, off, on, on, off, off, off, on];
  const file = path.join(dir, 'pie-audit');
  fs.writeFileSync(file, Buffer.concat([Buffer.alloc(4096, 0x90), Buffer.from(SENTINEL, 'latin1'), Buffer.from([1, wire.length, ...wire]), Buffer.alloc(4096, 0x90)]));
  return file;
}

describe('Electron fuses', () => {
  it('electron-builder.yml sets the hardened fuses, as electron-builder loads it', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
    expect(guard.checkFuseConfig(config.electronFuses)).toEqual([]);
    expect(guard.checkFuseConfig({ ...config.electronFuses, runAsNode: true })).toEqual(['electronFuses.runAsNode is true, must be false']);
    expect(guard.checkFuseConfig(null)).toHaveLength(6);
  });

  it('the afterPack guard reads the fuses from the binary: Electron as shipped fails, flipped by electron-builder passes', async () => {
    const binary = standInBinary(tempDir('pie-audit-fuses-'));
    expect(await guard.checkFuseWire(binary)).toEqual([
      'fuse runAsNode is on in pie-audit, must be off',
      'fuse enableNodeOptionsEnvironmentVariable is on in pie-audit, must be off',
      'fuse enableNodeCliInspectArguments is on in pie-audit, must be off',
      'fuse enableEmbeddedAsarIntegrityValidation is off in pie-audit, must be on',
      'fuse onlyLoadAppFromAsar is off in pie-audit, must be on',
      'fuse enableCookieEncryption is off in pie-audit, must be on',
    ]);
    const electronFuses = config.electronFuses;
    if (!electronFuses) throw new Error('electronFuses missing');
    const fuseConfig = await PlatformPackager.prototype.generateFuseConfig.call(PlatformPackager.prototype, electronFuses);
    await fuses.flipFuses(binary, fuseConfig);
    expect(await guard.checkFuseWire(binary)).toEqual([]);

    // One fuse turned back on is named.
    await fuses.flipFuses(binary, { version: '1', 0: true });
    expect(await guard.checkFuseWire(binary)).toEqual(['fuse runAsNode is on in pie-audit, must be off']);
  });

  it('refuses a file that is not an Electron binary', async () => {
    const file = path.join(tempDir('pie-audit-fuses-'), 'not-electron');
    fs.writeFileSync(file, 'plain text');
    await expect(guard.checkFuseWire(file)).rejects.toThrow(/Could not find sentinel/);
  });
});
