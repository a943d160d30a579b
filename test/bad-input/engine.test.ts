import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import { InputError } from '../../lambdas/core/errors.js';
import { buildReport } from '../../lambdas/core/report.js';
import { severalPeriodsWarning } from '../../lambdas/core/warnings.js';
import { type BadCase, FILE_CASES, handled } from '../fixtures/bad/corpus.js';
import { comparable, periodsOf } from './expected.js';

// The corpus through the engine the CLI uses (DuckDB) and the report core, in-process: the same
// outcome the CLI test checks end to end, with the error object itself in hand.
let folder: string;
let engine: DuckDbEngine;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'whopays-bad-'));
  engine = await DuckDbEngine.create({ threads: 1, memoryLimit: '512MB' });
});

afterAll(async () => {
  await engine.close();
  rmSync(folder, { recursive: true, force: true });
});

const write = (c: BadCase): string => {
  const path = join(folder, c.file);
  writeFileSync(path, c.contents());
  return path;
};

const refusedCases = handled(FILE_CASES).filter((c) => c.handling.kind === 'refused');
const validCases = handled(FILE_CASES).filter((c) => c.handling.kind === 'valid');

describe('bad-input corpus through the DuckDB engine', () => {
  it.each(refusedCases.map((c) => [c.name, c] as const))(
    'refuses %s with one line naming the file and the problem',
    async (_name, c) => {
      // Prepare
      const path = write(c);
      // Act
      const error = await engine
        .ledger({ location: path })
        .then((result) => buildReport({ sources: [{ path, ...result }] }))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      // Assess
      expect(error).toBeInstanceOf(InputError);
      const { file, problem, message } = error as InputError;
      expect(file).toBe(path);
      if (c.handling.kind === 'refused') expect(problem).toMatch(c.handling.problem);
      expect(message).not.toContain('\n');
    },
  );

  it.each(validCases.map((c) => [c.name, c] as const))(
    'reports %s with the hand-worked figures',
    async (_name, c) => {
      const path = write(c);
      const { format, rows, multiPeriodFiles } = await engine.ledger({ location: path });
      const sourceWarnings = multiPeriodFiles.map(severalPeriodsWarning);
      const report = buildReport({ sources: [{ path, format, rows, warnings: sourceWarnings }] });
      if (c.handling.kind !== 'valid') throw new Error('unreachable');
      expect(comparable(periodsOf(report))).toEqual(comparable(c.handling.periods));
      const warnings = report.periods.flatMap((p) => p.warnings);
      if (c.handling.warning) expect(warnings.join('\n')).toMatch(c.handling.warning);
      else expect(warnings).toEqual([]);
    },
  );
});
