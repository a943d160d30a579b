import { AthenaClient, GetQueryResultsCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { s3Store } from '../../lambdas/adapters/s3-store.js';
import { makeHandler } from '../../lambdas/assemble-report/assemble-report.js';
import type { LedgerRow } from '../../lambdas/core/ledger.js';
import { lambdaContext } from '../lambdas/helpers/lambda-context.js';
import { MemoryS3, newS3Client } from '../lambdas/helpers/memory-s3.js';
import {
  assembleConfig,
  assembleInput,
  athenaPages,
  CONSUMER,
  LEDGER,
  OWNER,
} from '../lambdas/helpers/pipeline-fixture.js';

// Bad Athena results (a row the ledger contract refuses, or figures that break an identity) must
// stop the assembly before anything is written: no report, no partial version folder.
type Override = Partial<Record<keyof LedgerRow, string | null>>;

const CASES: readonly (readonly [string, Override, RegExp])[] = [
  ['a billing period that is not YYYY-MM', { billing_period: '10/2025' }, /billing_period/],
  ['an unknown commitment kind', { commitment: 'edp' }, /commitment/],
  ['a line count that is not an integer', { line_count: '1.5' }, /line_count/],
  ['money that is not a decimal', { usage_cost: '1.2.3' }, /1\.2\.3/],
  ['money in scientific notation from a float', { invoice_cost: '3.5E-5' }, /3\.5E-5/],
  [
    // The owner differs but no commitment says why: the ledger is wrong, the identity check says so.
    'a move to another owner without a commitment',
    { owner_account_id: OWNER, usage_account_id: CONSUMER, commitment: null },
    /identity/,
  ],
];

describe('assemble-report on malformed Athena results', () => {
  const athena = mockClient(AthenaClient);
  let s3: MemoryS3;

  beforeEach(() => {
    s3 = new MemoryS3();
    athena.reset();
  });
  afterEach(() => s3.restore());

  it.each(CASES)('fails on %s and writes nothing', async (_name, override, problem) => {
    // Prepare: the second ledger row is damaged as Athena would return it (text values).
    const rows = LEDGER.map((row, i) => (i === 1 ? ({ ...row, ...override } as LedgerRow) : row));
    const [page] = athenaPages(rows, 100);
    athena.on(GetQueryResultsCommand).resolves(page!);
    const handler = makeHandler({
      athena: new AthenaClient({}),
      store: s3Store(newS3Client()),
      config: assembleConfig,
    });
    // Act
    const run = handler(assembleInput('2025-11-03T08:00:00.000Z', 'c'.repeat(32)), lambdaContext);
    // Assess
    await expect(run).rejects.toThrow(problem);
    expect([...s3.objects.keys()]).toEqual([]);
  });

  it('writes the report from the same rows undamaged (so "writes nothing" above means something)', async () => {
    const [page] = athenaPages(LEDGER, 100);
    athena.on(GetQueryResultsCommand).resolves(page!);
    const handler = makeHandler({
      athena: new AthenaClient({}),
      store: s3Store(newS3Client()),
      config: assembleConfig,
    });
    await handler(assembleInput('2025-11-03T08:00:00.000Z', 'c'.repeat(32)), lambdaContext);
    expect([...s3.objects.keys()].some((key) => key.endsWith('report.json'))).toBe(true);
  });
});
