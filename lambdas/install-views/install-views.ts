import {
  type AthenaClient,
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { z } from 'zod';
import { logger } from '../shared/logger.js';

/**
 * The custom resource event of the CDK Provider framework (onEvent): one view, its statement and
 * where to run it. Deleting the stack leaves the view (it goes with the Glue database).
 */
const ViewEventSchema = z.looseObject({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  PhysicalResourceId: z.string().optional(),
  ResourceProperties: z.looseObject({
    View: z.string().min(1),
    QueryString: z.string().min(1),
    WorkGroup: z.string().min(1),
    Database: z.string().min(1),
  }),
});

export interface InstallViewsDeps {
  readonly athena: AthenaClient;
  /** Waits between two GetQueryExecution polls. @default 1 s */
  readonly pause?: () => Promise<void>;
}

const ONE_SECOND = () => new Promise<void>((resolve) => setTimeout(resolve, 1000));

/**
 * Runs one `CREATE OR REPLACE VIEW` and waits for Athena's verdict: StartQueryExecution only
 * queues the statement, so a view whose SQL Athena refuses would otherwise deploy "successfully".
 * FAILED or CANCELLED throws, which fails the deployment with Athena's reason; a query that never
 * ends is cut by the function timeout, which fails it too.
 */
export const makeHandler =
  ({ athena, pause = ONE_SECOND }: InstallViewsDeps) =>
  async (event: unknown): Promise<{ PhysicalResourceId: string }> => {
    const { RequestType, PhysicalResourceId, ResourceProperties } = ViewEventSchema.parse(event);
    const { View, QueryString, WorkGroup, Database } = ResourceProperties;
    const physicalId = `whopays-view-${View}`;
    if (RequestType === 'Delete') return { PhysicalResourceId: PhysicalResourceId ?? physicalId };
    const started = await athena.send(
      new StartQueryExecutionCommand({
        QueryString,
        WorkGroup,
        QueryExecutionContext: { Database },
      }),
    );
    const id = started.QueryExecutionId;
    if (id === undefined) throw new Error(`view ${View}: Athena returned no QueryExecutionId`);
    for (;;) {
      const { QueryExecution } = await athena.send(
        new GetQueryExecutionCommand({ QueryExecutionId: id }),
      );
      const state = QueryExecution?.Status?.State;
      if (state === 'SUCCEEDED') {
        logger.info('view installed', { view: View, queryExecutionId: id });
        return { PhysicalResourceId: physicalId };
      }
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw new Error(
          `view ${View}: CREATE VIEW ${state} (query ${id}): ${QueryExecution?.Status?.StateChangeReason ?? 'no reason given'}`,
        );
      }
      await pause();
    }
  };
