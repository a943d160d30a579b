import { z } from 'zod';

/**
 * The data contract between the pipeline functions and the state machine (lib/). The state machine
 * is, in order (JSONPath query language):
 *
 * 1. `IsDbr` Choice on `$.format == 'dbr'` → `NormalizeDbr` (LambdaInvoke, payload `$`,
 *    payloadResponseOnly, resultPath `$.normalized`), then the Athena step; other formats go to the
 *    Athena step directly.
 * 2. `RunLedgerQuery`: AthenaStartQueryExecution with `IntegrationPattern.RUN_JOB` (`.sync`),
 *    `queryString` = `$.query.queryString`, `queryExecutionContext.databaseName` = `$.query.database`,
 *    the workgroup from the stack, resultPath `$.athena` (the GetQueryExecution output, see
 *    {@link AthenaStepOutputSchema}).
 * 3. `AssembleReport` (LambdaInvoke, payload `$`, payloadResponseOnly, resultPath `$.assembled`).
 * 4. `PublishReport` (LambdaInvoke, payload `$`, payloadResponseOnly, resultPath `$.published`).
 *
 * Each schema is a `looseObject`: a step accepts the whole state and ignores what it does not need,
 * so adding a field upstream never breaks a later step.
 */

export const FormatSchema = z.enum(['dbr', 'cur', 'cur2', 'focus']);
export const AccountIdSchema = z.string().regex(/^\d{12}$/, 'expected a 12-digit account id');
export const BillingPeriodSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM');

/** Partition columns of the Glue tables, one list per format; all projected as `string`. */
export const PARTITION_KEYS = {
  /** CUR 1 Athena integration: `year=YYYY/month=M` (month not zero-padded). */
  cur: ['year', 'month'],
  /** CUR 2.0 Data Exports: `BILLING_PERIOD=YYYY-MM`. */
  cur2: ['billing_period'],
  /** FOCUS Data Exports: the same `BILLING_PERIOD=YYYY-MM` layout as CUR 2.0. */
  focus: ['billing_period'],
  /** Normalized DBR under the staging prefix: `dbr/payer=<id>/billing_period=YYYY-MM/`. */
  dbr: ['payer', 'billing_period'],
} as const;

/**
 * How normalize-dbr writes a staged DBR and the DBR Glue table (OpenCSVSerde) reads it: a header row
 * (skipped), then exactly the DBR contract columns (lambdas/core/source-columns.ts) in order, every
 * field quoted, a quote or backslash escaped with a backslash, no line break inside a field.
 */
export const STAGED_DBR_DIALECT = { separatorChar: ',', quoteChar: '"', escapeChar: '\\' } as const;

/** The S3 object whose event started the run (a CUR manifest or a DBR file). */
export const DeliveryObjectSchema = z.object({
  bucket: z.string().min(1),
  key: z.string().min(1),
  versionId: z.string().optional(),
  etag: z.string().optional(),
});

/**
 * The execution input that start-run sends with StartExecution. The execution name is
 * `executionName(format, payer, period, deliveryId)`, so a re-sent event cannot start a second run.
 */
export const RunInputSchema = z.looseObject({
  /** Stable id of this delivery: hex hash of bucket, key, version/etag and assemblyId/executionId. */
  deliveryId: z.string().regex(/^[0-9a-f]{32}$/),
  /** The S3 event time of the delivery (ISO 8601); the newest delivery of a month wins. */
  deliveredAt: z.iso.datetime({ offset: true }),
  format: FormatSchema,
  payerAccountId: AccountIdSchema,
  billingPeriod: BillingPeriodSchema,
  /** Declared currency for DBR sources (DBR has no currency column). */
  currency: z.string().optional(),
  source: DeliveryObjectSchema,
  /** Read by the Athena step: `$.query.queryString`, `$.query.database`. */
  query: z.object({
    queryString: z.string().min(1),
    database: z.string().min(1),
    workGroup: z.string().min(1),
  }),
  /**
   * True when the delivery's manifest lists its columns and resource ids are not among them
   * (CUR 2.0 without `INCLUDE_RESOURCES`, CUR 1 without `RESOURCES`): no Capacity Reservation line
   * can be attributed, and the report says so.
   */
  withoutResourceIds: z.boolean().optional(),
  /** Present only for `dbr`: the file NormalizeDbr writes (staging; never a trigger prefix). */
  normalize: z
    .object({
      targetBucket: z.string().min(1),
      targetKey: z.string().min(1),
    })
    .optional(),
});
export type RunInput = z.infer<typeof RunInputSchema>;

/** NormalizeDbr's result, at `$.normalized`. `superseded` = the source was replaced by a newer file. */
export const NormalizeOutputSchema = z.object({
  status: z.enum(['written', 'superseded']),
  bucket: z.string(),
  key: z.string(),
  bytesIn: z.number().int().nonnegative(),
  bytesOut: z.number().int().nonnegative(),
});
export type NormalizeOutput = z.infer<typeof NormalizeOutputSchema>;

/** What the `.sync` Athena step leaves at `$.athena` (a GetQueryExecution response, trimmed). */
export const AthenaStepOutputSchema = z.looseObject({
  QueryExecution: z.looseObject({
    QueryExecutionId: z.string().min(1),
    Status: z.looseObject({ State: z.string().optional() }).optional(),
  }),
});

/** AssembleReport's input: the run input plus the Athena step output. */
export const AssembleInputSchema = RunInputSchema.extend({
  athena: AthenaStepOutputSchema,
});
export type AssembleInput = z.infer<typeof AssembleInputSchema>;

/**
 * AssembleReport's result, at `$.assembled`. `superseded` = a newer delivery of the same payer and
 * month already wrote its report: nothing was written and PublishReport does nothing.
 */
export const AssembleOutputSchema = z.object({
  status: z.enum(['written', 'superseded']),
  /** `<deliveredAt>#<deliveryId>`: orders report versions; the publish idempotency key. */
  reportVersion: z.string(),
  bucket: z.string(),
  /** `reports/<period>/<payer>/report.json` */
  reportKey: z.string(),
  accountsKey: z.string(),
  transfersKey: z.string(),
  /** `reports/<period>/consolidated/report.json`, when rebuilt. */
  consolidatedKey: z.string().optional(),
  final: z.boolean(),
});
export type AssembleOutput = z.infer<typeof AssembleOutputSchema>;

/** PublishReport's input: the assemble input plus `$.assembled`. */
export const PublishInputSchema = AssembleInputSchema.extend({
  assembled: AssembleOutputSchema,
});
export type PublishInput = z.infer<typeof PublishInputSchema>;

/** PublishReport's result, at `$.published`. `skipped` = superseded, or this version was already published. */
export const PublishOutputSchema = z.object({
  status: z.enum(['published', 'skipped']),
  reason: z.string().optional(),
  dryRun: z.boolean(),
  budgets: z.object({
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    /** Accounts given no budget: another payer's, or no positive cost on the basis. */
    skipped: z.number().int(),
  }),
  summaryMessageId: z.string().optional(),
});
export type PublishOutput = z.infer<typeof PublishOutputSchema>;

/**
 * Step Functions execution name for a delivery: at most 80 characters of `[A-Za-z0-9-_]`, unique
 * per delivery, readable in the console.
 */
export const executionName = (
  format: z.infer<typeof FormatSchema>,
  payerAccountId: string,
  billingPeriod: string,
  deliveryId: string,
): string => `${format}-${payerAccountId}-${billingPeriod}-${deliveryId}`;
