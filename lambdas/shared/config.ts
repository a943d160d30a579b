import { z } from 'zod';
import { ENV } from './env.js';
import { AccountIdSchema, FormatSchema } from './pipeline-contract.js';

/** One configured billing source (the deploy config's `sources[]` entry plus its Glue table). */
export const SourceSchema = z.looseObject({
  id: z.string().optional(),
  format: FormatSchema,
  prefix: z.string(),
  reportName: z.string().optional(),
  payerAccountId: AccountIdSchema,
  preferred: z.boolean().optional(),
  currency: z.string().optional(),
  table: z.string().optional(),
});
export type SourceConfig = z.infer<typeof SourceSchema>;

type Env = Readonly<Record<string, string | undefined>>;

/** A setting the stack failed to pass: a deployment bug, so the function refuses to start. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const required = (env: Env, name: string): string => {
  const value = env[name];
  if (value === undefined || value === '')
    throw new ConfigError(`environment variable ${name} is not set`);
  return value;
};

const optional = (env: Env, name: string): string | undefined => {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
};

/**
 * The deploy config's settings that grow with the organization (sources, billing groups, budgets
 * policy), written to S3 at deploy by lib/runtime-config.ts and read once per cold start: Lambda's
 * environment variables are limited to 4 KB in all, about 230 grouped accounts.
 */
export const RuntimeDocumentSchema = z.looseObject({
  /** The deploy config's `sources`, each with its Glue table. */
  sources: z.array(SourceSchema).min(1),
  /** CreateBillingGroup requests, validated by parseBillingGroups; absent: no configured groups. */
  billingGroups: z.array(z.unknown()).optional(),
  /** The deploy config's `budgets` block (BudgetsPolicySchema); absent: Budgets is never called. */
  budgetsPolicy: z.unknown().optional(),
});
export type RuntimeDocument = z.infer<typeof RuntimeDocumentSchema>;

/** Reads text from S3 (the ObjectStore of lambdas/adapters/s3-store.ts fits). */
export interface TextReader {
  getText(bucket: string, key: string): Promise<{ readonly body: string } | undefined>;
}

/** `s3://bucket/key` of the config object, from CONFIG_BUCKET / CONFIG_KEY. */
export const runtimeDocumentUri = (env: Env): string =>
  `s3://${required(env, ENV.CONFIG_BUCKET)}/${required(env, ENV.CONFIG_KEY)}`;

/**
 * Reads and validates the config object. Every failure is a ConfigError naming the object (and the
 * field), so a bad deployment fails loudly on its first invocation.
 */
export const readRuntimeDocument = async (
  env: Env,
  reader: TextReader,
): Promise<RuntimeDocument> => {
  const bucket = required(env, ENV.CONFIG_BUCKET);
  const key = required(env, ENV.CONFIG_KEY);
  const where = `config object s3://${bucket}/${key}`;
  const text = await reader.getText(bucket, key);
  if (text === undefined) throw new ConfigError(`${where} does not exist`);
  let json: unknown;
  try {
    json = JSON.parse(text.body);
  } catch {
    throw new ConfigError(`${where} is not valid JSON`);
  }
  const parsed = RuntimeDocumentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `${where}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`.trim(),
    );
  }
  return parsed.data;
};

const boolVar = (env: Env, name: string): boolean | undefined => {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(`environment variable ${name} must be "true" or "false", got "${value}"`);
};

/** Normalizes a key prefix to '' or `something/`. */
const prefixVar = (env: Env, name: string, fallback: string): string => {
  const value = (optional(env, name) ?? fallback).replace(/^\/+|\/+$/g, '');
  return value === '' ? '' : `${value}/`;
};

export interface StartConfig {
  readonly stateMachineArn: string;
  readonly database: string;
  readonly workGroup: string;
  readonly tables: Readonly<Partial<Record<'dbr' | 'cur' | 'cur2' | 'focus', string>>>;
  readonly sources: readonly SourceConfig[];
  readonly stagingBucket: string;
  readonly stagingPrefix: string;
}

export const loadStartConfig = (env: Env, document: RuntimeDocument): StartConfig => ({
  stateMachineArn: required(env, ENV.STATE_MACHINE_ARN),
  database: required(env, ENV.ATHENA_DATABASE),
  workGroup: required(env, ENV.ATHENA_WORKGROUP),
  tables: {
    cur: optional(env, ENV.ATHENA_TABLE_CUR),
    cur2: optional(env, ENV.ATHENA_TABLE_CUR2),
    focus: optional(env, ENV.ATHENA_TABLE_FOCUS),
    dbr: optional(env, ENV.ATHENA_TABLE_DBR),
  },
  sources: document.sources,
  stagingBucket: required(env, ENV.STAGING_BUCKET),
  stagingPrefix: prefixVar(env, ENV.STAGING_PREFIX, 'staging'),
});

export interface NormalizeConfig {
  readonly stagingBucket: string;
  readonly stagingPrefix: string;
}

export const loadNormalizeConfig = (env: Env): NormalizeConfig => ({
  stagingBucket: required(env, ENV.STAGING_BUCKET),
  stagingPrefix: prefixVar(env, ENV.STAGING_PREFIX, 'staging'),
});

export interface AssembleConfig {
  readonly reportBucket: string;
  readonly reportPrefix: string;
  readonly sources: readonly SourceConfig[];
  /** Raw billing groups JSON (validated by the core's parseBillingGroups). */
  readonly billingGroups: unknown;
  /** Names the groups' origin in errors (`config object s3://…`). */
  readonly billingGroupsOrigin?: string;
  /** Read the groups from Billing Conductor instead of `billingGroups`. @default false */
  readonly readFromBillingConductor?: boolean;
  /** Where the function runs (AWS_REGION): Billing Conductor is refused in `cn-` regions. */
  readonly region?: string;
}

export const loadAssembleConfig = (env: Env, document: RuntimeDocument): AssembleConfig => {
  const readFromBillingConductor = boolVar(env, ENV.READ_BILLING_CONDUCTOR) ?? false;
  const region = optional(env, 'AWS_REGION');
  // The deploy config refuses this too; a hand-edited function must not reach for a missing service.
  if (readFromBillingConductor && (region === undefined || region.startsWith('cn-'))) {
    throw new ConfigError(
      `environment variable ${ENV.READ_BILLING_CONDUCTOR} is "true" but Billing Conductor is not available in region ${region ?? '(AWS_REGION unset)'}: list the groups in the deploy config's billingGroups`,
    );
  }
  return {
    reportBucket: required(env, ENV.REPORT_BUCKET),
    reportPrefix: prefixVar(env, ENV.REPORT_PREFIX, 'reports'),
    sources: document.sources,
    billingGroups: document.billingGroups,
    billingGroupsOrigin: `config object ${runtimeDocumentUri(env)} billingGroups`,
    readFromBillingConductor,
    ...(region === undefined ? {} : { region }),
  };
};

export interface PublishConfig {
  readonly reportBucket: string;
  readonly reportPrefix: string;
  /** Undefined: no budgets policy configured, Budgets is never called. */
  readonly budgetsPolicyJson: unknown;
  readonly budgetsAccountId: string | undefined;
  readonly budgetsRegion: string;
  readonly dryRunOverride: boolean | undefined;
  readonly budgetTopicArn: string | undefined;
  readonly summaryTopicArn: string;
}

/**
 * Budgets has one endpoint per partition: us-east-1 in aws, cn-northwest-1 in aws-cn
 * (docs/PARTITIONS.md).
 */
export const budgetsRegionFor = (region: string | undefined): string =>
  region?.startsWith('cn-') ? 'cn-northwest-1' : 'us-east-1';

export const loadPublishConfig = (env: Env, document: RuntimeDocument): PublishConfig => {
  const policy = document.budgetsPolicy;
  return {
    reportBucket: required(env, ENV.REPORT_BUCKET),
    reportPrefix: prefixVar(env, ENV.REPORT_PREFIX, 'reports'),
    budgetsPolicyJson: policy,
    budgetsAccountId:
      policy === undefined
        ? optional(env, ENV.BUDGETS_ACCOUNT_ID)
        : required(env, ENV.BUDGETS_ACCOUNT_ID),
    budgetsRegion: optional(env, ENV.BUDGETS_REGION) ?? budgetsRegionFor(env.AWS_REGION),
    dryRunOverride: boolVar(env, ENV.DRY_RUN),
    budgetTopicArn: optional(env, ENV.BUDGET_TOPIC_ARN),
    summaryTopicArn: required(env, ENV.SUMMARY_TOPIC_ARN),
  };
};
