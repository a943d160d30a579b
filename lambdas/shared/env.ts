/**
 * Names of the environment variables the pipeline functions read. `lib/` (CDK) sets them and
 * `lambdas/shared/config.ts` reads them, both through these constants, so infra and runtime cannot
 * drift. Values are plain strings; settings that grow with the organization are in the config
 * object (CONFIG_BUCKET/CONFIG_KEY), validated with zod at cold start.
 */
export const ENV = {
  /** start-run: ARN of the attribution state machine (StartExecution). */
  STATE_MACHINE_ARN: 'WHOPAYS_STATE_MACHINE_ARN',
  /** start-run: Glue database holding the source tables (Athena QueryExecutionContext). */
  ATHENA_DATABASE: 'WHOPAYS_ATHENA_DATABASE',
  /** start-run: Athena workgroup the state machine runs the query in (echoed in the execution input). */
  ATHENA_WORKGROUP: 'WHOPAYS_ATHENA_WORKGROUP',
  /** start-run: default Glue table over CUR 1 Athena-integration Parquet (partitions `year`, `month`). */
  ATHENA_TABLE_CUR: 'WHOPAYS_ATHENA_TABLE_CUR',
  /** start-run: default Glue table over CUR 2.0 Parquet (partition `billing_period`). */
  ATHENA_TABLE_CUR2: 'WHOPAYS_ATHENA_TABLE_CUR2',
  /** start-run: default Glue table over FOCUS Parquet of Data Exports (partition `billing_period`). */
  ATHENA_TABLE_FOCUS: 'WHOPAYS_ATHENA_TABLE_FOCUS',
  /** start-run: default Glue table over normalized DBR gzip CSV (partitions `payer`, `billing_period`). */
  ATHENA_TABLE_DBR: 'WHOPAYS_ATHENA_TABLE_DBR',
  /**
   * start-run, assemble-report, publish-report: bucket and key of the config object, the JSON
   * document of `RuntimeDocumentSchema` (lambdas/shared/config.ts) that lib/runtime-config.ts writes
   * at deploy: the sources with their Glue tables, the billing groups and the budgets policy. These
   * grow with the organization, so they live in S3 (read once per cold start), not in Lambda's
   * 4 KB of environment variables.
   */
  CONFIG_BUCKET: 'WHOPAYS_CONFIG_BUCKET',
  CONFIG_KEY: 'WHOPAYS_CONFIG_KEY',
  /** start-run, normalize-dbr: bucket that receives normalized DBR files (usually the CUR bucket). */
  STAGING_BUCKET: 'WHOPAYS_STAGING_BUCKET',
  /** start-run, normalize-dbr: key prefix of normalized DBR files; must never trigger the pipeline. */
  STAGING_PREFIX: 'WHOPAYS_STAGING_PREFIX',
  /** assemble-report, publish-report: bucket the reports are written to. */
  REPORT_BUCKET: 'WHOPAYS_REPORT_BUCKET',
  /** assemble-report, publish-report: key prefix of reports, default `reports/`. */
  REPORT_PREFIX: 'WHOPAYS_REPORT_PREFIX',
  /**
   * assemble-report: `true` reads the billing groups of the report's billing period from Billing
   * Conductor (aws partition only; refused at cold start in a `cn-` region) instead of
   * the config object's `billingGroups`. Default `false`.
   */
  READ_BILLING_CONDUCTOR: 'WHOPAYS_READ_BILLING_CONDUCTOR',
  /** publish-report: account that owns the budgets (the stack account, `Aws.ACCOUNT_ID`). */
  BUDGETS_ACCOUNT_ID: 'WHOPAYS_BUDGETS_ACCOUNT_ID',
  /**
   * publish-report: optional region override for the Budgets client. Default: cn-northwest-1 when
   * the function runs in a `cn-` region, else us-east-1.
   */
  BUDGETS_REGION: 'WHOPAYS_BUDGETS_REGION',
  /** publish-report: `true` logs the budget plan and changes nothing in Budgets (overrides the policy's `dryRun`). */
  DRY_RUN: 'WHOPAYS_DRY_RUN',
  /** publish-report: topic that budget notifications go to (Budgets publishes to it). */
  BUDGET_TOPIC_ARN: 'WHOPAYS_BUDGET_TOPIC_ARN',
  /** publish-report: topic that receives the per-report summary. */
  SUMMARY_TOPIC_ARN: 'WHOPAYS_SUMMARY_TOPIC_ARN',
  /** Powertools standard: service name in every log line. */
  POWERTOOLS_SERVICE_NAME: 'POWERTOOLS_SERVICE_NAME',
  /** Powertools standard: log level (INFO by default). */
  POWERTOOLS_LOG_LEVEL: 'POWERTOOLS_LOG_LEVEL',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];
