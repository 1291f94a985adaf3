import { describe, expect, it } from 'vitest';
import { apiContract, apiMethods } from '../../src-main/core/api/contract.js';
import { datasetsMethods } from '../../src-main/core/api/contract/datasets.js';
import { labelsMethods } from '../../src-main/core/api/contract/labels.js';
import { modelsMethods } from '../../src-main/core/api/contract/models.js';
import { resultsMethods } from '../../src-main/core/api/contract/results.js';
import { runsMethods } from '../../src-main/core/api/contract/runs.js';
import { CORRUPTION_NAMES, shiftMethods } from '../../src-main/core/api/contract/shift.js';
import { CORRUPTIONS } from '../../src-main/core/corruptions/index.js';
import { studiesMethods } from '../../src-main/core/api/contract/studies.js';
import { expectMatchesResponseSchema } from '../helpers/response-schema.js';

describe('the API contract by namespace', () => {
  it('gathers every namespace, none of them overriding another method', () => {
    const namespaces = [datasetsMethods, runsMethods, modelsMethods, resultsMethods, shiftMethods, labelsMethods, studiesMethods];
    const names = namespaces.flatMap((methods) => Object.keys(methods));
    expect(new Set(names).size).toBe(names.length);
    expect([...names, 'app.info'].sort()).toEqual([...apiMethods].sort());
    for (const name of names) expect(Object.keys(apiContract)).toContain(name);
  });

  it('keeps the published method names', () => {
    expect([...apiMethods].sort()).toEqual(
      [
        'annotator.get', 'annotator.set', 'app.info', 'classes.impact', 'compare.get', 'datasets.addKnown',
        'datasets.list', 'experiments.delete', 'experiments.list', 'experiments.models', 'experiments.rename',
        'evaluate.cancel', 'evaluate.start', 'evaluate.status', 'export.file', 'image.detail', 'image.shift', 'labels.get', 'labels.list', 'labels.set',
        'models.chooseManifest', 'models.chooseModelFiles', 'models.import', 'models.inspect', 'models.writeManifest', 'pies.list', 'report.get', 'schema.get',
        'shift.get', 'study.create', 'study.items', 'study.label', 'study.exportReport', 'study.list', 'study.report', 'study.unblind',
        'subgroups.impact', 'train.cancel', 'train.resume', 'train.start', 'train.status',
      ].sort(),
    );
  });
});

describe('the evaluate namespace', () => {
  it("accepts exactly the corruptions pie-audit evaluate knows", () => {
    expect([...CORRUPTION_NAMES]).toEqual([...CORRUPTIONS]);
  });
});

describe('the response-schema check the API tests apply to every answer', () => {
  const info = { version: '1.0.0', databasePath: '/tmp/x.db', carrier: 'http', cores: 2 };

  it('passes a response that is exactly its schema', () => {
    expectMatchesResponseSchema('app.info', info);
  });

  it('fails a response with a wrong type, a missing field or a field the schema lacks', () => {
    expect(() => expectMatchesResponseSchema('app.info', { ...info, carrier: 'ipc' })).toThrow(/carrier/);
    expect(() => expectMatchesResponseSchema('app.info', { version: '1.0.0', carrier: 'http' })).toThrow(/databasePath/);
    expect(() => expectMatchesResponseSchema('app.info', { ...info, extra: 1 })).toThrow(/no field its schema lacks/);
    expect(() => expectMatchesResponseSchema('no.such', {})).toThrow(/method of the contract/);
  });
});
