import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BudgetsPolicySchema } from '../lambdas/core/budget-plan.js';
import { InputError } from '../lambdas/core/errors.js';
import { BillingGroupRequestsSchema } from '../lambdas/core/groups.js';
import {
  type PartitionFacts,
  type PartitionName,
  partitionFacts,
  partitionOfRegion,
} from './partition.js';

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit account id (a string)');
/** An S3 key prefix: no leading or trailing slash, so joins are unambiguous. */
const keyPrefix = z
  .string()
  .regex(
    /^[A-Za-z0-9!_.*'()=-]+(\/[A-Za-z0-9!_.*'()=-]+)*$/,
    'must be an S3 prefix without leading/trailing "/"',
  );

const BucketSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('create') }).strict(),
  z
    .object({
      mode: z.literal('existing'),
      name: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
    })
    .strict(),
]);

const SourceSchema = z
  .object({
    /** Stable id used in construct ids and table names: lowercase, short. */
    id: z.string().regex(/^[a-z][a-z0-9]{0,19}$/, 'must be 1-20 lowercase letters/digits'),
    format: z.enum(['dbr', 'cur', 'cur2', 'focus']),
    /**
     * The S3 prefix configured on the report / export (DBR: where the `.csv.zip` files land; `''`
     * for DBR files at the bucket root, where AWS writes them).
     */
    prefix: z
      .string()
      .refine(
        (value) => value === '' || keyPrefix.safeParse(value).success,
        'must be an S3 prefix without leading/trailing "/" ("" only for DBR at the bucket root)',
      ),
    /** CUR 1 report name or CUR 2.0 / FOCUS export name; absent for DBR. */
    reportName: z
      .string()
      .regex(/^[0-9A-Za-z!\-_.*'()]{1,256}$/, 'must be a CUR report / export name')
      .optional(),
    payerAccountId: accountId,
    /**
     * The one source of its payer whose deliveries count, when the payer has several (CUR 1 and
     * CUR 2.0 during the migration, a DBR and a CUR): the others' deliveries are not read.
     */
    preferred: z.boolean().optional(),
    /** Declared currency (DBR files have no currency column). */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like "CNY"')
      .optional(),
  })
  .strict()
  .superRefine((source, ctx) => {
    if (source.format !== 'dbr' && source.reportName === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['reportName'],
        message: `is required for format ${source.format}`,
      });
    }
    if (source.prefix === '' && source.format !== 'dbr') {
      ctx.addIssue({
        code: 'custom',
        path: ['prefix'],
        message: 'may be empty only for format dbr (DBR files at the bucket root)',
      });
    }
    if (source.format === 'dbr' && source.reportName !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['reportName'], message: 'is not used by format dbr' });
    }
  });

const DeployConfigSchema = z
  .object({
    /**
     * CloudFormation stack name; give each deploy config in one account its own, or the second
     * deploy replaces the first.
     */
    stackName: z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
        'must be a CloudFormation stack name (letters, digits, -)',
      )
      .default('Whopays'),
    account: accountId,
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a region like "cn-northwest-1"'),
    /** Optional cross-check; the partition is derived from the region. */
    partition: z.enum(['aws', 'aws-cn']).optional(),
    curBucket: BucketSchema,
    sources: z.array(SourceSchema).min(1),
    /**
     * CreateBillingGroup requests (REPORT.md), validated by the runtime's own parseBillingGroups:
     * an account in two groups, an unknown field or an outside PrimaryAccountId fails the synth.
     */
    billingGroups: BillingGroupRequestsSchema.default([]),
    readFromBillingConductor: z.boolean().default(false),
    /** One definition with the function that applies it (lambdas/core/budget-plan.ts). */
    budgets: BudgetsPolicySchema.optional(),
    notifications: z
      .object({ emails: z.array(z.email()).default([]) })
      .strict()
      .default({ emails: [] }),
    lambda: z
      .object({
        runtime: z
          .string()
          .regex(/^nodejs(2[2-9]|[3-9]\d)\.x$/, 'must be a pinned runtime nodejs22.x or later')
          .default('nodejs22.x'),
        architecture: z.enum(['x86_64', 'arm64']).default('x86_64'),
        logRetentionDays: z.number().int().positive().default(30),
      })
      .strict()
      .default({ runtime: 'nodejs22.x', architecture: 'x86_64', logRetentionDays: 30 }),
    athena: z
      .object({
        /** Athena's minimum cutoff is 10 MB. */
        bytesScannedCutoffPerQuery: z.number().int().min(10_000_000),
      })
      .strict(),
    billingDeliveryPrincipals: z
      .object({ cur: z.string().min(1), dataExports: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const derived = partitionOfRegion(config.region);
    if (config.partition !== undefined && config.partition !== derived) {
      ctx.addIssue({
        code: 'custom',
        path: ['partition'],
        message: `is ${config.partition} but region ${config.region} is in ${derived}`,
      });
    }
    const facts = partitionFacts(derived);
    if (config.readFromBillingConductor && !facts.hasBillingConductor) {
      ctx.addIssue({
        code: 'custom',
        path: ['readFromBillingConductor'],
        message: `Billing Conductor does not exist in ${derived}: list billingGroups instead`,
      });
    }
    if (config.lambda.architecture === 'arm64' && !facts.hasLambdaArm64) {
      ctx.addIssue({
        code: 'custom',
        path: ['lambda', 'architecture'],
        message: `arm64 is not confirmed for Lambda in ${derived}: use x86_64`,
      });
    }
    if (config.budgets !== undefined) {
      const payer = config.budgets.payerAccountId;
      // Budgets are created in the stack's account; a LinkedAccount filter works only there.
      if (payer !== config.account) {
        ctx.addIssue({
          code: 'custom',
          path: ['budgets', 'payerAccountId'],
          message: `is ${payer} but the stack deploys to account ${config.account}: LinkedAccount budgets only work from the payer (management) account, so deploy the stack there or remove budgets`,
        });
      } else if (!config.sources.some((source) => source.payerAccountId === payer)) {
        ctx.addIssue({
          code: 'custom',
          path: ['budgets', 'payerAccountId'],
          message: `${payer} is the payer of no source: no account could get a budget`,
        });
      }
    }
    const ids = new Set<string>();
    config.sources.forEach((source, index) => {
      if (ids.has(source.id)) {
        ctx.addIssue({ code: 'custom', path: ['sources', index, 'id'], message: 'is not unique' });
      }
      ids.add(source.id);
    });
    for (const issue of samePayerSourceIssues(config.sources)) ctx.addIssue(issue);
  });

/**
 * One payer's month is one bill: a payer with several sources must mark exactly one `preferred`,
 * the one whose deliveries count (lambdas/core/payer-sources.ts), so the consolidated report never
 * holds the same bill twice and the config says which one it holds.
 */
function samePayerSourceIssues(
  sources: readonly { id: string; payerAccountId: string; preferred?: boolean | undefined }[],
): { code: 'custom'; path: (string | number)[]; message: string }[] {
  const issues: { code: 'custom'; path: (string | number)[]; message: string }[] = [];
  for (const payer of new Set(sources.map((s) => s.payerAccountId))) {
    const own = sources.filter((s) => s.payerAccountId === payer);
    if (own.length < 2 || own.filter((s) => s.preferred).length === 1) continue;
    const index = sources.indexOf(own.find((s) => s.preferred) ?? own[0]!);
    issues.push({
      code: 'custom',
      path: ['sources', index, 'preferred'],
      message: `payer ${payer} has ${own.length} sources (${own.map((s) => s.id).join(', ')}): mark exactly one "preferred": true, the one its reports count`,
    });
  }
  return issues;
}

export type DeployConfigInput = z.input<typeof DeployConfigSchema>;
type ParsedConfig = z.output<typeof DeployConfigSchema>;
export type CurSourceConfig = ParsedConfig['sources'][number];
export type BudgetsConfig = NonNullable<ParsedConfig['budgets']>;
export type BillingGroupConfig = ParsedConfig['billingGroups'][number];

/** The validated deploy config plus the facts of its partition. */
export interface DeployConfig
  extends Omit<ParsedConfig, 'partition' | 'billingDeliveryPrincipals'> {
  readonly partition: PartitionName;
  readonly facts: PartitionFacts;
  readonly billingDeliveryPrincipals: { readonly cur: string; readonly dataExports: string };
}

const formatPath = (path: readonly PropertyKey[]): string =>
  path.length === 0 ? '(root)' : path.map(String).join('.');

/**
 * Validates a parsed JSON config. Throws InputError naming the file and the first bad field
 * (`sources.0.prefix: must be ...`), so `cdk synth` fails with one actionable line.
 */
export function parseDeployConfig(json: unknown, file: string): DeployConfig {
  const result = DeployConfigSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined ? '(root)' : formatPath(issue.path);
    throw new InputError(file, `config field ${where}: ${issue?.message ?? 'is invalid'}`);
  }
  const parsed = result.data;
  const partition = partitionOfRegion(parsed.region);
  const facts = partitionFacts(partition);
  return {
    ...parsed,
    partition,
    facts,
    billingDeliveryPrincipals: parsed.billingDeliveryPrincipals ?? {
      cur: facts.curDeliveryPrincipal,
      dataExports: facts.dataExportsDeliveryPrincipal,
    },
  };
}

/** Reads and validates a deploy config file (only bin/app.ts calls this). */
export function loadDeployConfig(file: string): DeployConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(file, `cannot read the deploy config (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, `is not valid JSON (${(error as Error).message})`);
  }
  return parseDeployConfig(json, file);
}
