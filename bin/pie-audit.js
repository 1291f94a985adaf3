#!/usr/bin/env node
// The pie-audit command: runs the TypeScript sources through tsx, so a fresh clone
// needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/cli.ts');
const code = await main(process.argv);
// Let a server command keep running; everything else exits with its code, or with the
// one the command set itself (130 after Ctrl+C).
if (code !== undefined && code !== null) process.exitCode = code === 0 ? (process.exitCode ?? 0) : code;
