import { describe, expect, it } from 'vitest';
import { apiContract } from '../../src-main/core/api/contract.js';
import { TrainSettingsSchema } from '../../src-main/core/api/contract/runs.js';
import { StudySettingsSchema } from '../../src-main/core/api/contract/studies.js';
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
});
