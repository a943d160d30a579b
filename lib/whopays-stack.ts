import {
  Annotations,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV } from '../lambdas/shared/env.js';
import { AttributionCatalog } from './attribution-catalog.js';
import { AttributionPipeline } from './attribution-pipeline.js';
import type { DeployConfig } from './config.js';
import { CurBucket } from './cur-bucket.js';
import { IngestTrigger, sourceKeyPrefix } from './ingest-trigger.js';
import { retainLogsOfEveryFunction } from './log-retention.js';
import {
  acknowledgeCdkSingletons,
  acknowledgeFunctionDefaults,
  acknowledgeScopedResources,
} from './nag-acknowledgements.js';
import { OperationsAlarms } from './operations-alarms.js';
import { PipelineFunction, type PipelineFunctionName } from './pipeline-function.js';
import { ReportPublishing } from './report-publishing.js';
import { RuntimeConfig } from './runtime-config.js';
import { WORK_PREFIXES, WorkBucket } from './work-bucket.js';

export interface WhopaysStackProps extends StackProps {
  /** The validated deploy config (lib/config.ts). */
  readonly config: DeployConfig;
  /** Repository root, where `lambdas/` and `package-lock.json` live. */
  readonly projectRoot: string;
}

const START_TIMEOUT = Duration.minutes(1);

/** Days → the nearest CloudWatch retention at or above it (the enum only has fixed values). */
const retentionOf = (days: number): RetentionDays => {
  const allowed = Object.values(RetentionDays)
    .filter((v): v is RetentionDays => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  return allowed.find((v) => v >= days) ?? RetentionDays.TEN_YEARS;
};

/** One whopays deployment: wires the constructs for one deploy config; owns no logic of its own. */
export class WhopaysStack extends Stack {
  constructor(scope: Construct, id: string, props: WhopaysStackProps) {
    const { config, projectRoot, ...stackProps } = props;
    super(scope, id, {
      ...stackProps,
      env: { account: config.account, region: config.region },
      description: `whopays: commitment cost attribution (${config.partition})`,
    });
    const facts = config.facts;
    const logRetention = retentionOf(config.lambda.logRetentionDays);

    const key = new Key(this, 'Key', {
      description: 'whopays: work bucket, queues, topics, idempotency table',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const curBucket = new CurBucket(this, 'CurBucket', {
      existingBucketName: config.curBucket.mode === 'existing' ? config.curBucket.name : undefined,
      sources: config.sources,
      curDeliveryPrincipal: config.billingDeliveryPrincipals.cur,
      dataExportsDeliveryPrincipal: config.billingDeliveryPrincipals.dataExports,
      billingRegion: facts.billingRegion,
    });
    const workBucket = new WorkBucket(this, 'WorkBucket', { encryptionKey: key });
    const publishing = new ReportPublishing(this, 'Publishing', {
      encryptionKey: key,
      emails: config.notifications.emails,
      budgets: config.budgets,
      readFromBillingConductor: config.readFromBillingConductor,
    });

    const fn = (name: PipelineFunctionName, id: string, timeout: Duration, memorySize: number) =>
      new PipelineFunction(this, id, {
        functionName: name,
        projectRoot,
        runtimeName: config.lambda.runtime,
        architectureName: config.lambda.architecture,
        logRetention,
        activeTracing: facts.hasLambdaXRay,
        timeout,
        memorySize,
      });
    const startRun = fn('start-run', 'StartRun', START_TIMEOUT, 256);
    const normalizeDbr = fn('normalize-dbr', 'NormalizeDbr', Duration.minutes(15), 1024);
    const assembleReport = fn('assemble-report', 'AssembleReport', Duration.minutes(10), 1024);
    const publishReport = fn('publish-report', 'PublishReport', Duration.minutes(5), 512);
    // Views take seconds; the timeout bounds a CREATE VIEW that never ends (it fails the deploy).
    const installViews = fn('install-views', 'InstallViews', Duration.minutes(5), 256);
    const catalog = new AttributionCatalog(this, 'Catalog', {
      curBucket: curBucket.bucket,
      workBucket: workBucket.bucket,
      encryptionKey: key,
      sources: config.sources,
      bytesScannedCutoffPerQuery: config.athena.bytesScannedCutoffPerQuery,
      viewInstaller: installViews,
      logRetention,
    });

    const runtimeConfig = new RuntimeConfig(this, 'RuntimeConfig', {
      document: {
        sources: catalog.sourceTables.map(({ source, tableName }) => ({
          ...source,
          table: tableName,
        })),
        ...(config.billingGroups.length > 0 && !config.readFromBillingConductor
          ? { billingGroups: config.billingGroups }
          : {}),
        ...(config.budgets === undefined ? {} : { budgetsPolicy: config.budgets }),
      },
    });
    for (const target of [startRun, assembleReport, publishReport]) runtimeConfig.bind(target);
    const allow = (target: LambdaFunction, actions: string[], resources: string[]) =>
      target.addToRolePolicy(new PolicyStatement({ actions, resources }));
    const sourceObjects = [...new Set(config.sources.map(sourceKeyPrefix))].map((p) =>
      curBucket.bucket.arnForObjects(`${p}*`),
    );
    const work = workBucket.bucket;
    const useKey = (target: LambdaFunction) =>
      allow(target, ['kms:Decrypt', 'kms:GenerateDataKey'], [key.keyArn]);

    // start-run: reads the manifest (or heads the DBR file), starts the execution.
    allow(startRun, ['s3:GetObject', 's3:GetObjectVersion'], sourceObjects);
    startRun.addEnvironment(ENV.ATHENA_DATABASE, catalog.databaseName);
    startRun.addEnvironment(ENV.ATHENA_WORKGROUP, catalog.workGroupName);
    for (const [format, name] of [
      ['cur', ENV.ATHENA_TABLE_CUR],
      ['cur2', ENV.ATHENA_TABLE_CUR2],
      ['focus', ENV.ATHENA_TABLE_FOCUS],
      ['dbr', ENV.ATHENA_TABLE_DBR],
    ] as const) {
      const table = catalog.defaultTables[format];
      if (table !== undefined) startRun.addEnvironment(name, table);
    }
    for (const target of [startRun, normalizeDbr]) {
      target.addEnvironment(ENV.STAGING_BUCKET, work.bucketName);
      target.addEnvironment(ENV.STAGING_PREFIX, WORK_PREFIXES.staging);
    }

    // normalize-dbr: original DBR in, gzip CSV out under the staging prefix. Without a DBR source
    // the state machine never calls it, so it gets nothing to read or write.
    const dbrObjects = [
      ...new Set(config.sources.filter((s) => s.format === 'dbr').map(sourceKeyPrefix)),
    ].map((p) => curBucket.bucket.arnForObjects(`${p}*`));
    if (dbrObjects.length > 0) {
      allow(normalizeDbr, ['s3:GetObject', 's3:GetObjectVersion'], dbrObjects);
      allow(
        normalizeDbr,
        ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        [work.arnForObjects(`${WORK_PREFIXES.staging}*`)],
      );
      useKey(normalizeDbr);
    }

    // assemble-report: query results in, reports out.
    catalog.grantReadResults(assembleReport);
    const reportObjects = [work.arnForObjects(`${WORK_PREFIXES.reports}*`)];
    allow(assembleReport, ['s3:GetObject', 's3:PutObject'], reportObjects);
    // Without ListBucket a missing report answers 403 instead of 404.
    assembleReport.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [work.bucketArn],
        conditions: { StringLike: { 's3:prefix': `${WORK_PREFIXES.reports}*` } },
      }),
    );
    useKey(assembleReport);
    publishing.bindGroupsReader(assembleReport);
    if (config.readFromBillingConductor && config.billingGroups.length > 0) {
      Annotations.of(this).addWarningV2(
        'whopays:billingGroupsIgnored',
        'readFromBillingConductor is on: the billingGroups of the config are not used',
      );
    }

    // publish-report: report in, its published marker out, Budgets + SNS out. It HEADs the marker
    // before the first publish: without ListBucket S3 answers 403 instead of 404.
    allow(publishReport, ['s3:GetObject'], reportObjects);
    allow(
      publishReport,
      ['s3:PutObject'],
      [work.arnForObjects(`${WORK_PREFIXES.reports}*/published/*`)],
    );
    publishReport.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [work.bucketArn],
        conditions: { StringLike: { 's3:prefix': `${WORK_PREFIXES.reports}*` } },
      }),
    );
    useKey(publishReport);
    publishing.bindPublishFunction(publishReport);
    // Budgets has one endpoint per partition, not one per region: say which, not leave it implied.
    publishReport.addEnvironment(ENV.BUDGETS_REGION, facts.billingRegion);
    for (const target of [assembleReport, publishReport]) {
      target.addEnvironment(ENV.REPORT_BUCKET, work.bucketName);
      target.addEnvironment(ENV.REPORT_PREFIX, WORK_PREFIXES.reports);
    }

    const pipeline = new AttributionPipeline(this, 'Pipeline', {
      catalog,
      normalizeDbr,
      assembleReport,
      publishReport,
      alertTopic: publishing.alertTopic,
      grantAlert: (grantee) => publishing.grantAlert(grantee),
      logRetention,
      tracing: facts.hasLambdaXRay,
    });
    pipeline.stateMachine.grantStartExecution(startRun);
    startRun.addEnvironment(ENV.STATE_MACHINE_ARN, pipeline.stateMachine.stateMachineArn);

    const trigger = new IngestTrigger(this, 'Trigger', {
      bucket: curBucket.bucket,
      sources: config.sources,
      encryptionKey: key,
      consumerTimeout: START_TIMEOUT,
    });
    trigger.bindConsumer(startRun);

    new OperationsAlarms(this, 'Alarms', {
      alertTopic: publishing.alertTopic,
      deadLetterQueue: trigger.deadLetterQueue,
      stateMachine: pipeline.stateMachine,
      functions: {
        StartRun: startRun,
        NormalizeDbr: normalizeDbr,
        AssembleReport: assembleReport,
        PublishReport: publishReport,
      },
    });

    for (const f of [startRun, normalizeDbr, assembleReport, publishReport, installViews]) {
      acknowledgeFunctionDefaults(f, facts.hasLambdaXRay);
    }
    acknowledgeScopedResources(
      startRun,
      sourceObjects,
      'start-run reads manifests and DBR files under the configured source prefixes only.',
    );
    acknowledgeScopedResources(
      normalizeDbr,
      [...dbrObjects, work.arnForObjects(`${WORK_PREFIXES.staging}*`)],
      'normalize-dbr reads DBR files under the configured source prefixes and writes under the staging prefix only.',
    );
    acknowledgeScopedResources(
      assembleReport,
      reportObjects,
      'assemble-report reads and writes report objects under the reports prefix only.',
    );
    acknowledgeScopedResources(
      publishReport,
      [...reportObjects, work.arnForObjects(`${WORK_PREFIXES.reports}*/published/*`)],
      'publish-report reads report objects and writes published markers under the reports prefix only.',
    );
    acknowledgeCdkSingletons(this);
    // Last: CDK's singleton functions exist only once their users do.
    retainLogsOfEveryFunction(this, logRetention);

    new CfnOutput(this, 'CurBucketName', { value: curBucket.bucket.bucketName });
    new CfnOutput(this, 'WorkBucketName', { value: workBucket.bucket.bucketName });
    new CfnOutput(this, 'AthenaDatabase', { value: catalog.databaseName });
    new CfnOutput(this, 'AthenaWorkGroup', { value: catalog.workGroupName });
    new CfnOutput(this, 'StateMachineArn', { value: pipeline.stateMachine.stateMachineArn });
    new CfnOutput(this, 'SummaryTopicArn', { value: publishing.summaryTopic.topicArn });
    new CfnOutput(this, 'AlertTopicArn', { value: publishing.alertTopic.topicArn });
  }
}
