import { CreateBudgetCommand } from '@aws-sdk/client-budgets';
import { PublishCommand } from '@aws-sdk/client-sns';
import 'aws-sdk-client-mock-jest';
import type { Report } from '../../lambdas/core/report-model.js';
import {
  AssembleOutputSchema,
  PublishOutputSchema,
} from '../../lambdas/shared/pipeline-contract.js';
import { synthesizedMachine } from '../infra/state-machine-definition.js';
import { EXAMPLES, exampleConfig } from '../infra/synth-helpers.js';
import {
  CONSUMER,
  chainMocks,
  deliverThroughMachine,
  OWNER,
  PAYER,
  partition,
  REPORTS,
  stubFirstRun,
  threeLineCsv,
} from './helpers/chain-fixture.js';
import { MemoryS3 } from './helpers/memory-s3.js';

const RI = `arn:${partition}:ec2:us-east-1:${OWNER}:reserved-instances/ri-0001`;

/**
 * Three CUR 2.0 lines of October 2025, bill still open:
 * 1. CONSUMER's DiscountedUsage covered by OWNER's RI: amortized = effective cost 30, unblended 0;
 * 2. OWNER's own Usage: 10;
 * 3. OWNER's RIFee: unblended 35, amortized = unused upfront 2 + unused recurring 3 = 5.
 * usageCost: OWNER 10 + 5 = 15, CONSUMER 30. ownerCost: line 1 moves to OWNER: OWNER 45, CONSUMER 0.
 * invoiceCost (unblended): OWNER 10 + 35 = 45, CONSUMER 0. Transfer OWNER <- CONSUMER (ri) 30.
 */
const CSV = threeLineCsv(RI, '10');

describe.each(EXAMPLES)(
  'the whole chain through the synthesized state machine (%s): start -> query (DuckDB) -> assemble -> publish',
  (name) => {
    const { definition } = synthesizedMachine(exampleConfig(name));
    const mocks = chainMocks();
    const { sfn, athena, budgets, sns } = mocks;
    let s3: MemoryS3;

    beforeEach(() => {
      s3 = new MemoryS3();
      for (const mock of [sfn, athena, budgets, sns]) mock.reset();
    });
    afterEach(() => s3.restore());

    it('turns one CUR 2.0 delivery into a report in S3, budgets and one SNS summary', async () => {
      // Prepare: a first run (no budget yet).
      stubFirstRun(mocks, 'summary-1');

      // Act: the S3 notification reaches start-run through SQS; the execution runs every state,
      // the ledger rows coming back from Athena in pages of 2.
      const { execution } = await deliverThroughMachine(
        {
          definition,
          s3,
          mocks,
          account: '111122223333',
          summaryTopic: `arn:${partition}:sns:us-east-1:111122223333:t`,
          alertTopic: `arn:${partition}:sns:us-east-1:111122223333:alert`,
          pageSize: 2,
        },
        CSV,
      );

      // Assess
      expect(execution.status).toBe('SUCCEEDED');
      expect(execution.path).toEqual([
        'IsDbr',
        'RunLedgerQuery',
        'AssembleReport',
        'PublishReport',
        'Done',
      ]);
      const output = execution.output as { assembled: unknown; published: unknown };
      const assembled = AssembleOutputSchema.parse(output.assembled);
      const published = PublishOutputSchema.parse(output.published);
      expect(assembled).toMatchObject({ status: 'written', final: false });
      const report = JSON.parse(
        s3.text(REPORTS, `reports/2025-10/${PAYER}/report.json`)!,
      ) as Report;
      const period = report.periods[0]!;
      const figures = (id: string) => {
        const a = period.accounts.find((x) => x.accountId === id)!;
        return [a.usageCost, a.ownerCost, a.invoiceCost].map(Number);
      };
      expect(figures(OWNER)).toEqual([15, 45, 45]);
      expect(figures(CONSUMER)).toEqual([30, 0, 0]);
      expect(
        period.transfers.map((t) => [
          t.ownerAccountId,
          t.consumerAccountId,
          t.commitment,
          Number(t.cost),
        ]),
      ).toEqual([[OWNER, CONSUMER, 'ri', 30]]);
      expect(s3.keys(REPORTS)).toEqual(
        expect.arrayContaining([
          `reports/2025-10/${PAYER}/accounts.csv`,
          `reports/2025-10/${PAYER}/transfers.csv`,
          'reports/2025-10/consolidated/report.json',
        ]),
      );
      // OWNER: 45 x 1.2 = 54 -> "54.00"; CONSUMER has no positive ownerCost, so no budget.
      expect(budgets).toHaveReceivedCommandTimes(CreateBudgetCommand, 1);
      expect(budgets).toHaveReceivedCommandWith(CreateBudgetCommand, {
        Budget: expect.objectContaining({
          BudgetName: `whopays-${OWNER}`,
          BudgetLimit: { Amount: '54.00', Unit: 'USD' },
        }),
      });
      expect(published).toMatchObject({ status: 'published', summaryMessageId: 'summary-1' });
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject).toBe(
        `whopays 2025-10 ${PAYER} provisional`,
      );
    });
  },
);
