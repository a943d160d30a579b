import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import { z } from 'zod';
import { athenaLedgerQuery } from '../adapters/athena-ledger-query.js';
import type { ObjectStore } from '../adapters/s3-store.js';
import { classifyKey, decodeS3Key, deliveryId, matchSource } from '../core/delivery.js';
import { InputError } from '../core/errors.js';
import { parseManifest, receivedObjects } from '../core/manifest.js';
import { ConfigError, type StartConfig } from '../shared/config.js';
import { logger } from '../shared/logger.js';
import { executionName, type RunInput } from '../shared/pipeline-contract.js';

export interface StartDeps {
  readonly store: ObjectStore;
  readonly sfn: SFNClient;
  readonly config: StartConfig;
}

const SqsEventSchema = z.object({
  Records: z.array(z.object({ messageId: z.string(), body: z.string() })),
});

const S3RecordSchema = z.looseObject({
  eventName: z.string(),
  eventTime: z.iso.datetime({ offset: true }),
  s3: z.looseObject({
    bucket: z.looseObject({ name: z.string().min(1) }),
    object: z.looseObject({
      key: z.string().min(1),
      eTag: z.string().optional(),
      versionId: z.string().optional(),
    }),
  }),
});
type S3Record = z.infer<typeof S3RecordSchema>;

// S3's own test message on notification setup has no Records (so it fails any S3 event schema).
const S3TestEventSchema = z.looseObject({ Event: z.literal('s3:TestEvent') });
const S3EventSchema = z.looseObject({ Records: z.array(S3RecordSchema).min(1) });

/**
 * Largest query text (UTF-8 bytes) a run carries: Athena takes 262,144 bytes, and the whole execution input
 * (which holds the query) must fit Step Functions' 256 KiB, with room for the rest of the state.
 */
const MAX_QUERY_BYTES = 200_000;

/** The column Capacity Reservation attribution reads (sql/ledger/cur_ledger.sql). */
const RESOURCE_ID_COLUMN = 'line_item_resource_id';

/** HEADs many keys a few at a time: a CUR 2.0 month can list hundreds of files. */
const missingObjects = async (
  store: ObjectStore,
  objects: readonly { bucket: string; key: string }[],
): Promise<string[]> => {
  const missing: string[] = [];
  for (let i = 0; i < objects.length; i += 16) {
    const batch = objects.slice(i, i + 16);
    const found = await Promise.all(batch.map((o) => store.exists(o.bucket, o.key)));
    found.forEach((ok, j) => {
      if (!ok) missing.push(`s3://${batch[j]!.bucket}/${batch[j]!.key}`);
    });
  }
  return missing;
};

/** The normalized copy of a DBR file: gzip CSV in the partition folder the DBR table projects. */
const stagingKey = (prefix: string, payer: string, period: string, key: string): string => {
  const base = key.slice(key.lastIndexOf('/') + 1).replace(/\.zip$/, '');
  return `${prefix}dbr/payer=${payer}/billing_period=${period}/${base}.gz`;
};

/** Turns one S3 record into the execution input, or undefined when it is not a delivery. */
const runInputFor = async (record: S3Record, deps: StartDeps): Promise<RunInput | undefined> => {
  const { config, store } = deps;
  const bucket = record.s3.bucket.name;
  const key = decodeS3Key(record.s3.object.key);
  const file = `s3://${bucket}/${key}`;
  if (!record.eventName.startsWith('ObjectCreated:')) {
    logger.info('ignored: not an object creation', { file, eventName: record.eventName });
    return undefined;
  }
  if (bucket === config.stagingBucket && key.startsWith(config.stagingPrefix)) {
    logger.warn('ignored: staging object reached the trigger queue', { file });
    return undefined;
  }
  const delivery = classifyKey(key);
  if (!delivery) {
    logger.warn('ignored: not a CUR manifest or DBR file', { file });
    return undefined;
  }
  const source = matchSource(delivery, config.sources);
  if (!source)
    throw new InputError(file, `no configured ${delivery.format} source matches this key`);

  let assemblyId: string | undefined;
  let files: string[] | undefined;
  let withoutResourceIds = false;
  if (delivery.format !== 'dbr') {
    const text = await store.getText(bucket, key);
    if (!text) throw new InputError(file, 'manifest no longer exists');
    const manifest = parseManifest(delivery.format, text.body, file);
    if (manifest.payerAccountId && manifest.payerAccountId !== source.payerAccountId) {
      throw new InputError(
        file,
        `manifest payer ${manifest.payerAccountId} is not the configured payer ${source.payerAccountId}`,
      );
    }
    // Resolved where the event came from: a replicated manifest still names the source bucket.
    const objects = receivedObjects(manifest, { ...delivery, bucket }, file);
    const missing = await missingObjects(store, objects);
    if (missing.length > 0) {
      throw new InputError(
        file,
        `manifest lists ${missing.length} missing object(s), first ${missing[0]}`,
      );
    }
    assemblyId = manifest.assemblyId;
    files = objects.map((o) => `s3://${o.bucket}/${o.key}`);
    // FOCUS names a capacity reservation in its own columns (ATTRIBUTION.md, FOCUS).
    withoutResourceIds =
      source.format !== 'focus' &&
      manifest.columns !== undefined &&
      !manifest.columns.includes(RESOURCE_ID_COLUMN);
  }

  // A Data Exports manifest is the same for CUR 2.0 and FOCUS: the source says which it is.
  const format = source.format;
  const table = source.table ?? config.tables[format];
  if (!table) throw new ConfigError(`no Glue table configured for format ${format}`);
  const payerAccountId = source.payerAccountId;
  const queryString = athenaLedgerQuery({
    format,
    database: config.database,
    table,
    payerAccountId,
    billingPeriod: delivery.billingPeriod,
    ...(files ? { files } : {}),
  });
  const queryBytes = Buffer.byteLength(queryString, 'utf8');
  if (queryBytes > MAX_QUERY_BYTES) {
    throw new InputError(
      file,
      `manifest lists ${files?.length ?? 0} files: the query naming them would be ${queryBytes} bytes, over the ${MAX_QUERY_BYTES} the run input allows`,
    );
  }
  const id = deliveryId({
    bucket,
    key,
    ...(record.s3.object.versionId ? { versionId: record.s3.object.versionId } : {}),
    ...(record.s3.object.eTag ? { etag: record.s3.object.eTag } : {}),
    ...(assemblyId ? { assemblyId } : {}),
  });
  return {
    deliveryId: id,
    deliveredAt: record.eventTime,
    format,
    payerAccountId,
    billingPeriod: delivery.billingPeriod,
    ...(source.currency ? { currency: source.currency } : {}),
    ...(withoutResourceIds ? { withoutResourceIds } : {}),
    source: {
      bucket,
      key,
      ...(record.s3.object.versionId ? { versionId: record.s3.object.versionId } : {}),
      ...(record.s3.object.eTag ? { etag: record.s3.object.eTag } : {}),
    },
    query: {
      queryString,
      database: config.database,
      workGroup: config.workGroup,
    },
    ...(delivery.format === 'dbr'
      ? {
          normalize: {
            targetBucket: config.stagingBucket,
            targetKey: stagingKey(
              config.stagingPrefix,
              payerAccountId,
              delivery.billingPeriod,
              key,
            ),
          },
        }
      : {}),
  };
};

const startRun = async (input: RunInput, deps: StartDeps): Promise<void> => {
  const name = executionName(
    input.format,
    input.payerAccountId,
    input.billingPeriod,
    input.deliveryId,
  );
  const context = { execution: name, file: `s3://${input.source.bucket}/${input.source.key}` };
  try {
    await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: deps.config.stateMachineArn,
        name,
        input: JSON.stringify(input),
      }),
    );
    logger.info('run started', context);
  } catch (error) {
    // The same delivery already started a run: the duplicate event is done.
    if (
      error instanceof ExecutionAlreadyExists ||
      (error as Error).name === 'ExecutionAlreadyExists'
    ) {
      logger.info('duplicate delivery: run already exists', context);
      return;
    }
    throw error;
  }
};

const processMessage = async (body: string, deps: StartDeps): Promise<void> => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InputError('sqs message', 'body is not JSON');
  }
  if (S3TestEventSchema.safeParse(json).success) {
    logger.info('ignored: s3:TestEvent');
    return;
  }
  const event = S3EventSchema.safeParse(json);
  if (!event.success) throw new InputError('sqs message', 'body is not an S3 event notification');
  for (const record of event.data.Records) {
    const input = await runInputFor(record, deps);
    if (input) await startRun(input, deps);
  }
};

/**
 * SQS (S3 notifications) → one Step Functions execution per delivery. A message that fails is
 * reported as a batch item failure: SQS redelivers it and, after maxReceiveCount, moves it to the
 * DLQ. Bad input is logged as such (the file and the problem), other errors as retryable.
 */
export const makeHandler = (deps: StartDeps) =>
  middy<unknown, { batchItemFailures: { itemIdentifier: string }[] }>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const sqs = SqsEventSchema.parse(event);
      const batchItemFailures: { itemIdentifier: string }[] = [];
      for (const message of sqs.Records) {
        try {
          await processMessage(message.body, deps);
        } catch (error) {
          if (error instanceof InputError) {
            logger.error('bad event: sent back to the queue, then the DLQ', {
              messageId: message.messageId,
              file: error.file,
              problem: error.problem,
            });
          } else {
            logger.error('run could not start: will be retried', {
              messageId: message.messageId,
              error: error as Error,
            });
          }
          batchItemFailures.push({ itemIdentifier: message.messageId });
        }
      }
      return { batchItemFailures };
    });
