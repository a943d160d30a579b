import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { zipSync } from 'fflate';
import { budgetsAdapter } from '../../lambdas/adapters/budgets.js';
import { s3Store } from '../../lambdas/adapters/s3-store.js';
import { snsNotifier } from '../../lambdas/adapters/sns.js';
import { makeHandler as makeAssemble } from '../../lambdas/assemble-report/assemble-report.js';
import { BudgetsPolicySchema } from '../../lambdas/core/budget-plan.js';
import { makeHandler as makeInstallViews } from '../../lambdas/install-views/install-views.js';
import { makeHandler as makeNormalize } from '../../lambdas/normalize-dbr/normalize-dbr.js';
import { makeHandler as makePublish } from '../../lambdas/publish-report/publish-report.js';
import {
  loadAssembleConfig,
  loadPublishConfig,
  loadStartConfig,
  type RuntimeDocument,
  readRuntimeDocument,
} from '../../lambdas/shared/config.js';
import { ENV } from '../../lambdas/shared/env.js';
import { AssembleOutputSchema, RunInputSchema } from '../../lambdas/shared/pipeline-contract.js';
import { makeHandler as makeStart } from '../../lambdas/start-run/start-run.js';
import { type RecordedCall, recordedCalls } from '../lambdas/helpers/aws-calls.js';
import { stubFirstRun } from '../lambdas/helpers/chain-fixture.js';
import { lambdaContext } from '../lambdas/helpers/lambda-context.js';
import { MemoryS3, newS3Client } from '../lambdas/helpers/memory-s3.js';
import { LEDGER, oneLedgerPage } from '../lambdas/helpers/pipeline-fixture.js';

type Env = Readonly<Record<string, string>>;

/** What one deployed function did in the scenario. */
export interface FunctionCalls {
  readonly fn:
    | 'start-run'
    | 'normalize-dbr'
    | 'assemble-report'
    | 'publish-report'
    | 'install-views';
  readonly calls: RecordedCall[];
}

/** The key AWS delivers that starts a run of `source` (CUR-REFERENCE.md layouts). */
const deliveryOf = (source: RuntimeDocument['sources'][number], bucket: string) => {
  const name = source.reportName ?? '';
  switch (source.format) {
    // Data Exports: CUR 2.0 and FOCUS write the same layout.
    case 'cur2':
    case 'focus': {
      const data = `${source.prefix}/${name}/data/BILLING_PERIOD=2025-10/${name}-00001.snappy.parquet`;
      return {
        key: `${source.prefix}/${name}/metadata/BILLING_PERIOD=2025-10/${name}-Manifest.json`,
        body: JSON.stringify({
          executionId: '2f6c1d7e-2f0a-4a55-9d6e-8d7a7a6b1c11',
          billingPeriod: '2025-10',
          dataFiles: [`s3://${bucket}/${data}`],
        }),
        data: [data],
      };
    }
    case 'cur': {
      const data = `${source.prefix}/${name}/20251001-20251101/${name}-00001.snappy.parquet`;
      return {
        key: `${source.prefix}/${name}/20251001-20251101/${name}-Manifest.json`,
        body: JSON.stringify({
          assemblyId: 'a1b2',
          bucket,
          reportKeys: [data],
          billingPeriod: { start: '20251001T000000.000Z', end: '20251101T000000.000Z' },
        }),
        data: [data],
      };
    }
    case 'dbr': {
      const csv = `${source.payerAccountId}-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-Ningxia-2025-10.csv`;
      return {
        // A DBR source with an empty prefix is delivered at the bucket root.
        key: `${source.prefix === '' ? '' : `${source.prefix}/`}${csv}.zip`,
        body: Buffer.from(
          zipSync({
            [csv]: Buffer.from(
              `"InvoiceID","PayerAccountId","LinkedAccountId","RecordType","ProductName","UnBlendedCost"\n"Estimated","${source.payerAccountId}","${source.payerAccountId}","LineItem","Amazon EC2","1.00"\n`,
            ),
          }),
        ),
        data: [],
      };
    }
  }
};

const sqsEvent = (bucket: string, key: string, etag: string) => ({
  Records: [
    {
      messageId: 'm-1',
      body: JSON.stringify({
        Records: [
          {
            eventName: 'ObjectCreated:Put',
            eventTime: '2025-11-03T08:15:00.000Z',
            s3: {
              bucket: { name: bucket },
              // S3 events carry the ETag without its quotes.
              object: {
                key: encodeURIComponent(key).replace(/%2F/g, '/'),
                eTag: etag.replace(/"/g, ''),
              },
            },
          },
        ],
      }),
    },
  ],
});

/**
 * Runs every pipeline function of one deployment with its deployed environment and config
 * object, SDK clients mocked, and returns the calls each made: start-run on a delivery of every
 * configured source, normalize-dbr and assemble-report on the runs it starts, publish-report with
 * Budgets writes on (dryRun off), and the view installer on one view.
 */
export async function runDeployedFunctions(
  envs: ReadonlyMap<string, Env>,
  document: RuntimeDocument,
  deployment: { readonly curBucket: string; readonly database: string; readonly workGroup: string },
): Promise<FunctionCalls[]> {
  const { curBucket } = deployment;
  const s3 = new MemoryS3();
  const sfn = mockClient(SFNClient);
  const athena = mockClient(AthenaClient);
  const budgets = mockClient(BudgetsClient);
  const sns = mockClient(SNSClient);
  const out: FunctionCalls[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: mocks of different clients
  const take = async (fn: FunctionCalls['fn'], ...mocks: Array<AwsStub<any, any, any>>) => {
    out.push({ fn, calls: await recordedCalls(...mocks) });
    for (const m of [s3.mock, sfn, athena, budgets, sns]) m.resetHistory();
  };
  const env = (fn: string) => {
    const e = envs.get(fn);
    if (e === undefined) throw new Error(`no deployed function ${fn}`);
    return e;
  };
  const store = s3Store(newS3Client());
  // The config object, where the deployment publishes it: each function reads it at cold start.
  const configEnv = env('start-run');
  s3.put(configEnv[ENV.CONFIG_BUCKET]!, configEnv[ENV.CONFIG_KEY]!, JSON.stringify(document));
  const documentOf = (fn: string) => readRuntimeDocument(env(fn), store);
  try {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: new Date() });
    const start = makeStart({
      store,
      sfn: new SFNClient({}),
      config: loadStartConfig(env('start-run'), await documentOf('start-run')),
    });
    for (const source of document.sources) {
      const delivery = deliveryOf(source, curBucket);
      const etag = s3.put(curBucket, delivery.key, delivery.body);
      for (const key of delivery.data) s3.put(curBucket, key, 'parquet');
      const result = await start(sqsEvent(curBucket, delivery.key, etag), lambdaContext);
      expect(result).toEqual({ batchItemFailures: [] });
    }
    const runs = sfn
      .commandCalls(StartExecutionCommand)
      .map((c) => RunInputSchema.parse(JSON.parse(c.args[0].input.input!)));
    expect(runs).toHaveLength(document.sources.length);
    await take('start-run', s3.mock, sfn);

    const normalize = makeNormalize({ s3: newS3Client() });
    for (const run of runs.filter((r) => r.format === 'dbr')) await normalize(run, lambdaContext);
    await take('normalize-dbr', s3.mock);

    athena.on(GetQueryResultsCommand).resolves(oneLedgerPage());
    const assembleEnv = env('assemble-report');
    const assemble = makeAssemble({
      athena: new AthenaClient({}),
      store: s3Store(newS3Client()),
      config: loadAssembleConfig(assembleEnv, await documentOf('assemble-report')),
    });
    const run = runs[0]!;
    const assembled = AssembleOutputSchema.parse(
      await assemble(
        {
          ...run,
          athena: { QueryExecution: { QueryExecutionId: 'q-1', Status: { State: 'SUCCEEDED' } } },
        },
        lambdaContext,
      ),
    );
    await take('assemble-report', s3.mock, athena);

    const publishEnv = env('publish-report');
    const publishConfig = loadPublishConfig(publishEnv, await documentOf('publish-report'));
    // No budget exists yet: each is created, with its notification.
    stubFirstRun({ sfn, athena, budgets, sns }, 'm');
    const policy = BudgetsPolicySchema.parse(publishConfig.budgetsPolicyJson);
    // Budgets for the ledger's accounts too, whatever the example's fixed amounts name.
    const amounts = Object.fromEntries(
      [...new Set(LEDGER.map((r) => r.owner_account_id).filter((a) => a !== null))].map((a) => [
        a,
        '10.00',
      ]),
    );
    // The ledger's accounts belong to its own payer: it stands in for the stack's payer here, so
    // budgets are planned for them (accounts of another payer are skipped, with no call).
    const ledgerPayer = { ...policy, payerAccountId: LEDGER[0]!.payer_account_id };
    const publish = makePublish({
      store: s3Store(newS3Client()),
      budgets: {
        port: budgetsAdapter(
          new BudgetsClient({}),
          publishConfig.budgetsAccountId!,
          publishConfig.budgetTopicArn,
        ),
        policy:
          ledgerPayer.limit.mode === 'fixed'
            ? {
                ...ledgerPayer,
                limit: { mode: 'fixed', amounts: { ...ledgerPayer.limit.amounts, ...amounts } },
              }
            : ledgerPayer,
      },
      notifier: snsNotifier(new SNSClient({}), publishConfig.summaryTopicArn),
      reportBucket: publishConfig.reportBucket,
      reportPrefix: publishConfig.reportPrefix,
      dryRun: false,
    });
    await publish(
      { ...run, athena: { QueryExecution: { QueryExecutionId: 'q-1' } }, assembled },
      lambdaContext,
    );
    await take('publish-report', s3.mock, budgets, sns);

    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'v-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    const install = makeInstallViews({
      athena: new AthenaClient({}),
      pause: async () => undefined,
    });
    const views = env('install-views');
    void views;
    await install({
      RequestType: 'Create',
      ResourceProperties: {
        View: 'whopays_ledger',
        QueryString: `create or replace view "${deployment.database}"."whopays_ledger" as\nselect 1`,
        WorkGroup: deployment.workGroup,
        Database: deployment.database,
      },
    });
    await take('install-views', athena);
  } finally {
    for (const m of [sfn, athena, budgets, sns]) m.restore();
    s3.restore();
  }
  return out;
}
