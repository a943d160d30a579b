import {
  AthenaClient,
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../lambdas/install-views/install-views.js';

/**
 * Defect 9 of issue 10: the views were installed by an AwsCustomResource calling
 * StartQueryExecution, which succeeds as soon as Athena queues the statement, so a CREATE VIEW
 * that Athena refused deployed "successfully". The installer now waits for the query's state.
 */
describe('install-views custom resource', () => {
  const athena = mockClient(AthenaClient);
  beforeEach(() => {
    athena.reset();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-7' });
  });
  afterAll(() => athena.restore());
  const event = (RequestType: 'Create' | 'Update' | 'Delete') => ({
    RequestType,
    ...(RequestType === 'Create' ? {} : { PhysicalResourceId: 'whopays-view-whopays_ledger' }),
    ResourceProperties: {
      View: 'whopays_ledger',
      QueryString: 'create or replace view "db"."whopays_ledger" as select 1',
      WorkGroup: 'wg',
      Database: 'db',
    },
  });
  const handler = () => makeHandler({ athena: new AthenaClient({}), pause: async () => undefined });

  it('fails the deployment with Athena’s reason when CREATE VIEW fails', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({
        QueryExecution: {
          Status: { State: 'FAILED', StateChangeReason: "line 1:8: Column 'x' cannot be resolved" },
        },
      });
    await expect(handler()(event('Create'))).rejects.toThrow(
      "view whopays_ledger: CREATE VIEW FAILED (query q-7): line 1:8: Column 'x' cannot be resolved",
    );
  });

  it('fails on a cancelled query too', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolves({ QueryExecution: { Status: { State: 'CANCELLED' } } });
    await expect(handler()(event('Update'))).rejects.toThrow(/CREATE VIEW CANCELLED/);
  });

  it('succeeds only once Athena says SUCCEEDED, polling while it runs', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    await expect(handler()(event('Create'))).resolves.toEqual({
      PhysicalResourceId: 'whopays-view-whopays_ledger',
    });
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input).toEqual({
      QueryString: 'create or replace view "db"."whopays_ledger" as select 1',
      WorkGroup: 'wg',
      QueryExecutionContext: { Database: 'db' },
    });
  });

  it('leaves the view on delete (it goes with the database) and calls nothing', async () => {
    await expect(handler()(event('Delete'))).resolves.toEqual({
      PhysicalResourceId: 'whopays-view-whopays_ledger',
    });
    expect(athena.calls()).toHaveLength(0);
  });
});
