import { describe, expect, it } from 'vitest';
import { apiContract } from '../../src-main/core/api/contract.js';
import { TrainSettingsSchema } from '../../src-main/core/api/contract/runs.js';
import { ExportRequestSchema } from '../../src-main/core/api/contract/results.js';
import { EvaluateSettingsSchema } from '../../src-main/core/api/contract/shift.js';
import { StudySettingsSchema } from '../../src-main/core/api/contract/studies.js';
import { IdxSplitSchema } from '../../src-main/core/datasets/add.js';
import { checkDatasetName } from '../../src-main/core/datasets/store.js';
import { StudyItemsFileSchema } from '../../src-main/core/study/items-file.js';
import { checkRequest, optionName, requestProblem } from '../../src-main/core/api/validate.js';

const cli = { name: optionName };

describe('one validation for the API and the command line', () => {
  it('words a range, a choice and a list item from the schema, under the caller\'s names', () => {
    expect(requestProblem(TrainSettingsSchema, { dataset: 'd', preset: 'quick', models: 0 }, cli)).toBe('--models must be 1..1000, not 0');
    expect(requestProblem(TrainSettingsSchema, { dataset: 'd', preset: 'huge' }, cli)).toBe("--preset must be one of smoke, quick, paper, longtail, not 'huge'");
    expect(requestProblem(TrainSettingsSchema, { dataset: 'd', preset: 'quick', sparsities: [0, 1.5] }, cli)).toBe('--sparsities: 1.5 is not a sparsity in [0, 1)');
    expect(requestProblem(TrainSettingsSchema, { dataset: 'd', preset: 'quick', trainLimit: 0 }, cli)).toBe('--train-limit must be a positive integer, not 0');
    expect(requestProblem(TrainSettingsSchema, { dataset: 'd', preset: 'quick', longTail: { ratio: 0.5 } }, { name: optionName, shown: () => "'0.5'" })).toBe(
      "--long-tail must be a ratio of at least 1, not '0.5'",
    );
    expect(requestProblem(TrainSettingsSchema, { dataset: 'd', preset: 'smoke', models: 3, sparsities: [0, 0.5] }, cli)).toBeUndefined();
  });

  it('gives the API the same ranges: train.start refuses what pie-audit train refuses', () => {
    const start = apiContract['train.start'].request;
    expect(start.safeParse({ dataset: 'd', models: 1001 }).error?.issues[0]?.message).toBe('must be 1..1000');
    expect(start.safeParse({ dataset: 'd', workers: 65 }).error?.issues[0]?.message).toBe('must be 1..64');
    expect(() => checkRequest(start, { dataset: 'd', epochs: 0 }, { name: (path) => path.join('.') })).toThrow('epochs must be 1..1000, not 0');
    expect(checkRequest(start, { dataset: 'd' }, cli)).toEqual({ dataset: 'd', preset: 'quick' });
  });

  it('gives study.create and pie-audit study create one set of study ranges', () => {
    const good = { name: 's', experimentId: 1, pies: 10, controls: 10, seed: 1 };
    expect(requestProblem(StudySettingsSchema, { ...good, pies: 0 }, cli)).toBe('--pies must be a positive integer, not 0');
    expect(requestProblem(StudySettingsSchema, { ...good, name: ' ' }, cli)).toBe("--name must be 1-200 characters, not ' '");
    expect(apiContract['study.create'].request.safeParse({ ...good, controls: -1 }).error?.issues[0]?.message).toBe('must be a non-negative integer');
    expect(requestProblem(StudySettingsSchema, good, cli)).toBeUndefined();
  });

  it('gives the results, evaluation and study commands the API\'s ranges, worded under their options', () => {
    const report = apiContract['report.get'].request;
    expect(requestProblem(report, { experimentId: 0 }, cli)).toBe('--experiment-id must be a positive integer, not 0');
    expect(requestProblem(report, { cieQuantile: 1 }, { name: optionName, kind: () => 'a number between 0 and 1 (exclusive)' })).toBe('--cie-quantile must be a number between 0 and 1 (exclusive), not 1');
    // The API keeps the schema's own words for the same refusal.
    expect(report.safeParse({ cieQuantile: 1 }).error?.issues[0]?.message).toBe('must be between 0 and 1 (exclusive)');
    expect(requestProblem(ExportRequestSchema, { table: 'pies', format: 'xml' }, cli)).toBe("--format must be csv, json or jsonl, not 'xml'");
    expect(requestProblem(ExportRequestSchema, { table: 'subgroup-impact', format: 'csv', positiveClass: ' ' }, cli)).toBe("--positive-class must be 1-200 characters, not ' '");
    expect(requestProblem(EvaluateSettingsSchema, { experimentId: 1, severities: [1, 6] }, cli)).toBe('--severities: 6 is not a severity (1 to 5)');
    expect(apiContract['evaluate.start'].request).toBe(EvaluateSettingsSchema);
    expect(requestProblem(StudyItemsFileSchema, { format: 'xml' }, cli)).toBe("--format must be csv or json, not 'xml'");
    expect(apiContract['study.exportReport'].request.safeParse({ studyId: 1, format: 'xml' }).error?.issues[0]?.message).toBe('must be csv or json');
    expect(requestProblem(IdxSplitSchema, { split: 'dev' }, cli)).toBe("--split must be train or test, not 'dev'");
    expect(requestProblem(IdxSplitSchema, { split: 'train' }, cli)).toBeUndefined();
  });

  it('gives datasets.addKnown and every datasets add one rule for a dataset name', () => {
    const addKnown = apiContract['datasets.addKnown'].request;
    for (const bad of ['../evil', '', ' lead', 'x'.repeat(101)]) {
      expect(addKnown.safeParse({ kind: 'mnist', name: bad }).error?.issues[0]?.message, bad).toMatch(/^must be 1-100 letters, digits/);
      expect(() => checkDatasetName(bad), bad).toThrow(`dataset name '${bad}' is not allowed (1-100 letters, digits, spaces, '.', '_', '+', '-'; starting with a letter or digit)`);
    }
    for (const good of ['mnist', 'Fashion MNIST 2', 'x'.repeat(100), 'données_1.0+b-c']) {
      expect(addKnown.safeParse({ kind: 'mnist', name: good }).success, good).toBe(true);
      expect(() => checkDatasetName(good)).not.toThrow();
    }
  });
});
