import { AthenaClient, GetQueryResultsCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type ObjectStore, s3Store } from '../../lambdas/adapters/s3-store.js';
import { makeHandler, VERSION_METADATA } from '../../lambdas/assemble-report/assemble-report.js';
import type { Report } from '../../lambdas/core/report-model.js';
import { AssembleOutputSchema } from '../../lambdas/shared/pipeline-contract.js';
import { lambdaContext } from './helpers/lambda-context.js';
import { MemoryS3, newS3Client } from './helpers/memory-s3.js';
import {
  assembleConfig,
  assembleInput,
  athenaPages,
  BUCKET,
  CONSUMER,
  LEDGER,
  OWNER,
  PAYER,
} from './helpers/pipeline-fixture.js';

const FOLDER = `reports/2025-10/${PAYER}/`;
const OLD_ID = 'a'.repeat(32);
const NEW_ID = 'b'.repeat(32);
const OLD_AT = '2025-11-03T08:00:00.000Z';
const NEW_AT = '2025-11-03T20:00:00.000Z';

describe('assemble-report', () => {
  const athena = mockClient(AthenaClient);
  let s3: MemoryS3;
  const handlerWith = (store: ObjectStore = s3Store(newS3Client())) =>
    makeHandler({
      athena: new AthenaClient({}),
      store,
      config: assembleConfig,
      now: () => new Date('2025-11-04T00:00:00Z'),
    });

  beforeEach(() => {
    s3 = new MemoryS3();
    athena.reset();
    // 1 header + 3 rows in pages of 2: two GetQueryResults calls.
    const [first, second] = athenaPages(LEDGER, 2);
    athena.on(GetQueryResultsCommand, { NextToken: undefined }).resolves(first!);
    athena.on(GetQueryResultsCommand, { NextToken: 'page-2' }).resolves(second!);
  });
  afterEach(() => s3.restore());

  const storedReport = (): Report => JSON.parse(s3.text(BUCKET, `${FOLDER}report.json`)!) as Report;

  it('reads every Athena page and writes report.json, accounts.csv, transfers.csv and the consolidated report', async () => {
    // Act
    const out = AssembleOutputSchema.parse(
      await handlerWith()(assembleInput(NEW_AT, NEW_ID), lambdaContext),
    );
    // Assess
    expect(athena).toHaveReceivedCommandTimes(GetQueryResultsCommand, 2);
    expect(athena.commandCalls(GetQueryResultsCommand)[1]!.args[0].input.NextToken).toBe('page-2');
    expect(out).toMatchObject({
      status: 'written',
      reportKey: `${FOLDER}report.json`,
      consolidatedKey: 'reports/2025-10/consolidated/report.json',
      final: false,
    });
    const period = storedReport().periods[0]!;
    // See LEDGER: OWNER 15 / 45 / 45, CONSUMER 30 / 0 / 0, one transfer of 30.
    const owner = period.accounts.find((a) => a.accountId === OWNER)!;
    const consumer = period.accounts.find((a) => a.accountId === CONSUMER)!;
    expect([owner.usageCost, owner.ownerCost, owner.invoiceCost].map(Number)).toEqual([15, 45, 45]);
    expect([consumer.usageCost, consumer.ownerCost, consumer.invoiceCost].map(Number)).toEqual([
      30, 0, 0,
    ]);
    expect(period.transfers).toHaveLength(1);
    expect(period.transfers[0]).toMatchObject({
      ownerAccountId: OWNER,
      consumerAccountId: CONSUMER,
      commitment: 'ri',
    });
    expect(Number(period.transfers[0]!.cost)).toBe(30);
    expect(s3.text(BUCKET, `${FOLDER}accounts.csv`)).toContain(OWNER);
    expect(s3.text(BUCKET, `${FOLDER}transfers.csv`)).toContain(CONSUMER);
    const consolidated = JSON.parse(s3.text(BUCKET, out.consolidatedKey!)!) as Report;
    expect(consolidated.periods[0]!.totals.ownerCost).toBe(period.totals.ownerCost);
    expect(s3.metadata(BUCKET, `${FOLDER}report.json`)?.[VERSION_METADATA]).toBe(out.reportVersion);
  });

  it('says in the report and the consolidated report which source of the payer counts', async () => {
    // The payer's CUR 2.0 export is preferred over its CUR 1 report (the migration overlap).
    const config = {
      ...assembleConfig,
      sources: [
        { ...assembleConfig.sources[0]!, id: 'cur2', preferred: true },
        {
          id: 'cur1',
          format: 'cur' as const,
          prefix: 'cur',
          reportName: 'r',
          payerAccountId: PAYER,
        },
      ],
    };
    const handler = makeHandler({
      athena: new AthenaClient({}),
      store: s3Store(newS3Client()),
      config,
      now: () => new Date('2025-11-04T00:00:00Z'),
    });
    const out = AssembleOutputSchema.parse(
      await handler(assembleInput(NEW_AT, NEW_ID), lambdaContext),
    );
    const note = `Payer ${PAYER} has 2 configured sources: only cur2 counts (preferred in the config); deliveries of cur1 are not read.`;
    expect(storedReport().periods[0]!.warnings).toContain(note);
    const consolidated = JSON.parse(s3.text(BUCKET, out.consolidatedKey!)!) as Report;
    expect(consolidated.periods[0]!.warnings).toContain(note);
  });

  it('writes nothing for a source of a payer whose preferred source is another (one bill)', async () => {
    // The payer's CUR 1 report is preferred: its CUR 2.0 run must not count as well.
    const config = {
      ...assembleConfig,
      sources: [
        { ...assembleConfig.sources[0]!, id: 'cur2' },
        {
          id: 'cur1',
          format: 'cur' as const,
          prefix: 'cur',
          reportName: 'r',
          payerAccountId: PAYER,
          preferred: true,
        },
      ],
    };
    const handler = makeHandler({
      athena: new AthenaClient({}),
      store: s3Store(newS3Client()),
      config,
      now: () => new Date('2025-11-04T00:00:00Z'),
    });
    const out = AssembleOutputSchema.parse(
      await handler(assembleInput(NEW_AT, NEW_ID), lambdaContext),
    );
    expect(out.status).toBe('superseded');
    expect(athena).not.toHaveReceivedCommand(GetQueryResultsCommand);
    expect(s3.text(BUCKET, `${FOLDER}report.json`)).toBeUndefined();
    expect(s3.text(BUCKET, 'reports/2025-10/consolidated/report.json')).toBeUndefined();
  });

  it('never lets an older delivery overwrite a newer report', async () => {
    // Prepare
    const newer = AssembleOutputSchema.parse(
      await handlerWith()(assembleInput(NEW_AT, NEW_ID), lambdaContext),
    );
    const before = s3.text(BUCKET, `${FOLDER}report.json`);
    athena.resetHistory();
    // Act
    const older = AssembleOutputSchema.parse(
      await handlerWith()(assembleInput(OLD_AT, OLD_ID), lambdaContext),
    );
    // Assess
    expect(older.status).toBe('superseded');
    expect(athena).not.toHaveReceivedCommand(GetQueryResultsCommand);
    expect(s3.text(BUCKET, `${FOLDER}report.json`)).toBe(before);
    expect(s3.metadata(BUCKET, `${FOLDER}report.json`)?.[VERSION_METADATA]).toBe(
      newer.reportVersion,
    );
  });

  it('an older run that loses the race to a newer one restores the newer CSVs', async () => {
    // Prepare: while the older run writes its stable accounts.csv, the newer run completes.
    const real = s3Store(newS3Client());
    let raced = false;
    const racing: ObjectStore = {
      ...real,
      async put(bucket, key, body, options) {
        if (!raced && key === `${FOLDER}accounts.csv`) {
          raced = true;
          await handlerWith()(assembleInput(NEW_AT, NEW_ID, 'q-new'), lambdaContext);
        }
        return real.put(bucket, key, body, options);
      },
    };
    // Act
    const older = AssembleOutputSchema.parse(
      await handlerWith(racing)(assembleInput(OLD_AT, OLD_ID), lambdaContext),
    );
    // Assess
    expect(raced).toBe(true);
    expect(older.status).toBe('superseded');
    const winner = s3.metadata(BUCKET, `${FOLDER}report.json`)?.[VERSION_METADATA];
    expect(winner).toContain(NEW_ID);
    expect(s3.metadata(BUCKET, `${FOLDER}accounts.csv`)?.[VERSION_METADATA]).toBe(winner);
    expect(s3.metadata(BUCKET, `${FOLDER}transfers.csv`)?.[VERSION_METADATA]).toBe(winner);
  });

  it('fails without a half-written report when S3 refuses the report.json write, and succeeds on retry', async () => {
    // Prepare
    s3.failPutsFor.add(`${FOLDER}report.json`);
    // Act
    await expect(handlerWith()(assembleInput(NEW_AT, NEW_ID), lambdaContext)).rejects.toThrow();
    // Assess: the stable report.json (the commit point) is absent, so nobody reads a partial report.
    expect(s3.text(BUCKET, `${FOLDER}report.json`)).toBeUndefined();
    const retried = AssembleOutputSchema.parse(
      await handlerWith()(assembleInput(NEW_AT, NEW_ID), lambdaContext),
    );
    expect(retried.status).toBe('written');
    expect(storedReport().periods[0]!.accounts).toHaveLength(2);
  });

  it('refuses an Athena result that does not match the ledger schema', async () => {
    athena.reset();
    const [page] = athenaPages([{ ...LEDGER[0]!, billing_period: 'October' }], 10);
    athena.on(GetQueryResultsCommand).resolves(page!);
    await expect(handlerWith()(assembleInput(NEW_AT, NEW_ID), lambdaContext)).rejects.toThrow(
      /result row 1 does not match the ledger: billing_period/,
    );
    expect(s3.keys(BUCKET)).toEqual([]);
  });
});
