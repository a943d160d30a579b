import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { AthenaClient } from '@aws-sdk/client-athena';
import type { BillingconductorClient } from '@aws-sdk/client-billingconductor';
import middy from '@middy/core';
import { readLedgerRows } from '../adapters/athena-results.js';
import { readBillingGroups } from '../adapters/billing-conductor.js';
import { type ObjectStore, PreconditionFailedError } from '../adapters/s3-store.js';
import { type BillingGroup, parseBillingGroups } from '../core/groups.js';
import { mergeReports } from '../core/merge-reports.js';
import { buildReport } from '../core/report.js';
import { accountsCsv, commitmentsCsv, transfersCsv } from '../core/report-csv.js';
import type { Report } from '../core/report-model.js';
import { resourceIdsMissing } from '../core/warnings.js';
import { type AssembleConfig, ConfigError } from '../shared/config.js';
import { logger } from '../shared/logger.js';
import {
  type AssembleInput,
  AssembleInputSchema,
  type AssembleOutput,
} from '../shared/pipeline-contract.js';
import {
  CONSOLIDATED,
  isNewerVersion,
  REPORT_CSVS,
  REPORT_FILES,
  reportFolder,
  reportVersion,
  versionFolder,
} from '../shared/report-keys.js';

export interface AssembleDeps {
  readonly athena: AthenaClient;
  readonly store: ObjectStore;
  readonly config: AssembleConfig;
  /** Required when `config.readFromBillingConductor` is set. */
  readonly billingConductor?: BillingconductorClient;
  readonly now?: () => Date;
}

/** S3 user metadata on every report.json: lets a later run compare versions without parsing it. */
export const VERSION_METADATA = 'whopays-version';
const FINAL_METADATA = 'whopays-final';
const MAX_COMMIT_ATTEMPTS = 4;

interface ReportFiles {
  readonly report: string;
  readonly accounts: string;
  readonly transfers: string;
  readonly commitments: string;
}

const filesOf = (report: Report): ReportFiles => ({
  report: `${JSON.stringify(report, null, 2)}\n`,
  accounts: accountsCsv(report),
  transfers: transfersCsv(report),
  commitments: commitmentsCsv(report),
});

const CONTENT_TYPES: Record<keyof ReportFiles, string> = {
  report: 'application/json',
  accounts: 'text/csv; charset=utf-8',
  transfers: 'text/csv; charset=utf-8',
  commitments: 'text/csv; charset=utf-8',
};

/**
 * Writes one version of a report so that readers never see a half-written one:
 *
 * 1. the immutable version folder (`versions/<version>/`), complete before anything else;
 * 2. the CSVs at the stable keys, then `report.json` last with a conditional write against the
 *    report.json this run compared with, so an older run can never replace a newer report;
 * 3. when the conditional write loses to a newer version, the CSVs are restored from that newer
 *    version's folder (it was complete before it committed).
 *
 * @returns 'written' or 'superseded'.
 */
const commitVersion = async (
  store: ObjectStore,
  bucket: string,
  folder: string,
  version: string,
  files: ReportFiles,
  final: boolean,
): Promise<'written' | 'superseded'> => {
  const metadata = { [VERSION_METADATA]: version, [FINAL_METADATA]: String(final) };
  const versioned = versionFolder(folder, version);
  for (const name of [...REPORT_CSVS, 'report'] as const) {
    await store.put(bucket, `${versioned}${REPORT_FILES[name]}`, files[name], {
      contentType: CONTENT_TYPES[name],
      metadata,
    });
  }
  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
    const current = await store.getText(bucket, `${folder}${REPORT_FILES.report}`);
    const currentVersion = current?.metadata[VERSION_METADATA];
    if (currentVersion === version) return 'written';
    if (!isNewerVersion(version, currentVersion)) return 'superseded';
    for (const name of REPORT_CSVS) {
      await store.put(bucket, `${folder}${REPORT_FILES[name]}`, files[name], {
        contentType: CONTENT_TYPES[name],
        metadata,
      });
    }
    try {
      await store.put(bucket, `${folder}${REPORT_FILES.report}`, files.report, {
        contentType: CONTENT_TYPES.report,
        metadata,
        ...(current ? { ifMatch: current.etag } : { ifNoneMatch: true }),
      });
      return 'written';
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      const winner = await store.getText(bucket, `${folder}${REPORT_FILES.report}`);
      const winnerVersion = winner?.metadata[VERSION_METADATA];
      if (winnerVersion !== undefined && !isNewerVersion(version, winnerVersion)) {
        await restoreCsvs(store, bucket, folder, winnerVersion);
        return 'superseded';
      }
      logger.warn('report.json changed concurrently: retrying the commit', { folder, attempt });
    }
  }
  throw new Error(`could not commit ${folder}${REPORT_FILES.report}: too many concurrent writers`);
};

/** Puts the winner's CSVs back at the stable keys after a losing run overwrote them. */
const restoreCsvs = async (
  store: ObjectStore,
  bucket: string,
  folder: string,
  version: string,
): Promise<void> => {
  const versioned = versionFolder(folder, version);
  for (const name of REPORT_CSVS) {
    const copy = await store.getText(bucket, `${versioned}${REPORT_FILES[name]}`);
    // A version written before commitments.csv existed has none to restore.
    if (!copy && name === 'commitments') continue;
    if (!copy) throw new Error(`version folder ${versioned} lacks ${REPORT_FILES[name]}`);
    await store.put(bucket, `${folder}${REPORT_FILES[name]}`, copy.body, {
      contentType: CONTENT_TYPES[name],
      metadata: copy.metadata,
    });
  }
};

/**
 * Rebuilds `<period>/consolidated/` from the latest report of every configured payer. A conditional
 * write on the consolidated report.json detects a concurrent rebuild, which is then redone with the
 * newer inputs, so the last rebuild always sees every payer's latest report.
 */
const rebuildConsolidated = async (
  deps: AssembleDeps,
  period: string,
  groups: readonly BillingGroup[] | undefined,
): Promise<string> => {
  const { store, config } = deps;
  const bucket = config.reportBucket;
  const folder = reportFolder(config.reportPrefix, period, CONSOLIDATED);
  const key = `${folder}${REPORT_FILES.report}`;
  const payers = [...new Set(config.sources.map((s) => s.payerAccountId))].sort();
  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
    const current = await store.getText(bucket, key);
    const parts: Report[] = [];
    const versions: string[] = [];
    for (const payer of payers) {
      const latest = await store.getText(
        bucket,
        `${reportFolder(config.reportPrefix, period, payer)}${REPORT_FILES.report}`,
      );
      if (!latest) continue;
      parts.push(JSON.parse(latest.body) as Report);
      versions.push(`${payer}=${latest.metadata[VERSION_METADATA] ?? ''}`);
    }
    const merged = mergeReports(parts, groups, (deps.now ?? (() => new Date()))());
    const files = filesOf(merged);
    const final = merged.periods.length > 0 && merged.periods.every((p) => p.final);
    const metadata = { [VERSION_METADATA]: versions.join(','), [FINAL_METADATA]: String(final) };
    for (const name of REPORT_CSVS) {
      await store.put(bucket, `${folder}${REPORT_FILES[name]}`, files[name], {
        contentType: CONTENT_TYPES[name],
        metadata,
      });
    }
    try {
      await store.put(bucket, key, files.report, {
        contentType: CONTENT_TYPES.report,
        metadata,
        ...(current ? { ifMatch: current.etag } : { ifNoneMatch: true }),
      });
      return key;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      logger.info('consolidated report rebuilt concurrently: rebuilding with the newer inputs', {
        period,
        attempt,
      });
    }
  }
  throw new Error(`could not commit ${key}: too many concurrent writers`);
};

export const assembleReport = async (
  input: AssembleInput,
  deps: AssembleDeps,
  groups: readonly BillingGroup[] | undefined,
): Promise<AssembleOutput> => {
  const { config, store } = deps;
  const bucket = config.reportBucket;
  const version = reportVersion(input.deliveredAt, input.deliveryId);
  const folder = reportFolder(config.reportPrefix, input.billingPeriod, input.payerAccountId);
  const keys = {
    bucket,
    reportKey: `${folder}${REPORT_FILES.report}`,
    accountsKey: `${folder}${REPORT_FILES.accounts}`,
    transfersKey: `${folder}${REPORT_FILES.transfers}`,
  };
  const context = { reportVersion: version, folder };

  // Checked before the (costly) result read: a late, older run stops here.
  const current = await store.getText(bucket, keys.reportKey);
  const currentVersion = current?.metadata[VERSION_METADATA];
  if (
    currentVersion !== undefined &&
    currentVersion !== version &&
    !isNewerVersion(version, currentVersion)
  ) {
    logger.info('superseded: a newer delivery already wrote this report', {
      ...context,
      currentVersion,
    });
    return { status: 'superseded', reportVersion: version, ...keys, final: false };
  }

  const queryExecutionId = input.athena.QueryExecution.QueryExecutionId;
  const rows = await readLedgerRows(deps.athena, queryExecutionId);
  const path = `s3://${input.source.bucket}/${input.source.key}`;
  const report = buildReport({
    sources: [
      {
        path,
        format: input.format,
        ...(input.currency ? { currency: input.currency } : {}),
        rows,
        ...(input.withoutResourceIds ? { warnings: [resourceIdsMissing(path)] } : {}),
      },
    ],
    ...(groups ? { groups } : {}),
    generatedAt: (deps.now ?? (() => new Date()))(),
  });
  const final = report.periods.length > 0 && report.periods.every((p) => p.final);
  const status = await commitVersion(store, bucket, folder, version, filesOf(report), final);
  logger.info(`report ${status}`, { ...context, ledgerRows: rows.length, final });
  if (status === 'superseded') return { status, reportVersion: version, ...keys, final };

  const consolidatedKey = await rebuildConsolidated(deps, input.billingPeriod, groups);
  return { status, reportVersion: version, ...keys, consolidatedKey, final };
};

/**
 * The groups of one billing period: Billing Conductor's as they were in that month when the config
 * says so (aws only: `readBillingGroups` refuses `cn-` regions before any call), else the
 * configured ones, parsed once per container.
 */
const groupsSource = (
  deps: AssembleDeps,
): ((billingPeriod: string) => Promise<readonly BillingGroup[] | undefined>) => {
  const { config, billingConductor } = deps;
  if (config.readFromBillingConductor ?? false) {
    const region = config.region;
    if (billingConductor === undefined || region === undefined) {
      throw new ConfigError('reading Billing Conductor needs a client and the function region');
    }
    return async (billingPeriod) => {
      const groups = await readBillingGroups(billingConductor, region, { billingPeriod });
      logger.info('billing groups read from Billing Conductor', {
        billingPeriod,
        groups: groups.length,
      });
      return groups;
    };
  }
  const configured =
    config.billingGroups === undefined
      ? undefined
      : parseBillingGroups(config.billingGroups, config.billingGroupsOrigin ?? 'billingGroups');
  return async () => configured;
};

/**
 * Step Functions task: Athena ledger rows → report (the CLI's core) → S3. Errors propagate: the
 * state machine retries transient ones and alerts on the rest. The groups are read before any S3
 * write, so a Billing Conductor failure leaves nothing behind.
 */
export const makeHandler = (deps: AssembleDeps) => {
  const groupsFor = groupsSource(deps);
  return middy<unknown, AssembleOutput>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const input = AssembleInputSchema.parse(event);
      return assembleReport(input, deps, await groupsFor(input.billingPeriod));
    });
};
