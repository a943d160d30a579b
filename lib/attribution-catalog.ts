import {
  Annotations,
  ArnFormat,
  Aws,
  CustomResource,
  Names,
  RemovalPolicy,
  Stack,
} from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import {
  columnsFor,
  DBR_COLUMNS,
  type SourceColumn,
  type SourceFormat,
} from '../lambdas/core/source-columns.js';
import {
  type AnalystQueryKind,
  athenaPeriodQueries,
  athenaViewStatements,
} from '../lambdas/core/sql-catalog.js';
import { PARTITION_KEYS, STAGED_DBR_DIALECT } from '../lambdas/shared/pipeline-contract.js';
import type { CurSourceConfig } from './config.js';
import {
  acknowledgeProviderFramework,
  acknowledgeScopedResources,
} from './nag-acknowledgements.js';
import { WORK_PREFIXES } from './work-bucket.js';

export interface AttributionCatalogProps {
  /** Bucket the billing files are delivered to. */
  readonly curBucket: IBucket;
  /** Bucket of whopays' own writes: DBR staging and Athena results. */
  readonly workBucket: IBucket;
  /** Key of the work bucket; Athena encrypts results with it. */
  readonly encryptionKey: IKey;
  /** The configured billing sources; one Glue table each (DBR sources share one table). */
  readonly sources: readonly CurSourceConfig[];
  /** Athena's per-query bytes-scanned cap. */
  readonly bytesScannedCutoffPerQuery: number;
  /**
   * First billing period the projections enumerate.
   * @default '2017-01'
   */
  readonly firstBillingPeriod?: string;
  /**
   * The function that installs the analyst views (lambdas/install-views: runs CREATE VIEW and
   * waits for Athena's verdict, so a refused view fails the deploy); absent: no views.
   * @default - the views are not installed
   */
  readonly viewInstaller?: LambdaFunction;
  /** Days the custom-resource framework function keeps its logs. */
  readonly logRetention?: RetentionDays;
}

/** The Glue table that serves one configured source. */
export interface SourceTable {
  readonly source: CurSourceConfig;
  readonly tableName: string;
}

const glueType = (column: SourceColumn, parquet: boolean): string => {
  if (!parquet) return 'string';
  if (column.name === 'bill_billing_period_start_date') return 'timestamp';
  if (column.name === 'BillingPeriodStart') return 'timestamp';
  return column.kind === 'money' ? 'double' : 'string';
};

/** What each source table holds, for its Glue description. */
const SOURCE_TABLE_KIND: Record<SourceFormat, string> = {
  dbr: 'Normalized DBR',
  cur: 'CUR 1 Athena integration',
  cur2: 'CUR 2.0 export',
  focus: 'FOCUS (Data Exports) export',
};

/** The sql/ledger/ file each format's period ledger comes from. */
const LEDGER_FILE: Record<SourceFormat, string> = {
  dbr: 'dbr',
  cur: 'cur',
  cur2: 'cur',
  focus: 'focus',
};

/** Construct id and console title of each period query (the ledger's id predates the others). */
const PERIOD_QUERY_NAMES: Record<AnalystQueryKind, { id: string; title: string }> = {
  ledger: { id: 'Ledger', title: 'ledger' },
  account_totals: { id: 'AccountTotals', title: 'account totals' },
  transfers: { id: 'Transfers', title: 'transfers' },
  commitments: { id: 'Commitments', title: 'commitments' },
};

const PARQUET_STORAGE = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: {
    serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
  },
};

/**
 * The attribution catalog: a Glue database with one table per billing source (partition
 * projection, so a new month needs no crawler), an Athena workgroup (engine v3, encrypted results,
 * bytes-scanned cap, enforced), named queries for one billing period per table (ledger, account
 * totals, transfers; the period as execution parameters, so only its partitions are read), and
 * the analyst views of lambdas/core/sql-catalog.ts created in Athena.
 */
export class AttributionCatalog extends Construct {
  readonly databaseName: string;
  readonly workGroupName: string;
  readonly sourceTables: readonly SourceTable[];
  /** The table of each format that start-run uses when a source names none. */
  readonly defaultTables: Partial<Record<SourceFormat, string>>;
  private readonly props: AttributionCatalogProps;

  constructor(scope: Construct, id: string, props: AttributionCatalogProps) {
    super(scope, id);
    this.props = props;
    const firstPeriod = props.firstBillingPeriod ?? '2017-01';
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(firstPeriod)) {
      throw new Error(`firstBillingPeriod must be YYYY-MM, got "${firstPeriod}"`);
    }
    if (props.sources.length === 0) {
      throw new Error('sources must list at least one billing source');
    }

    // Glue and Athena need names; derive them from the construct path so two stacks never clash.
    this.databaseName = Names.uniqueResourceName(this, { maxLength: 60, separator: '_' })
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_');
    this.workGroupName = Names.uniqueResourceName(this, { maxLength: 60, separator: '-' });
    const database = new CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: {
        name: this.databaseName,
        description: 'whopays: billing files and attribution views',
      },
    });

    const s3Url = (bucket: IBucket, key: string) => `s3://${bucket.bucketName}/${key}`;
    const periodProjection = (column: string) => ({
      [`projection.${column}.type`]: 'date',
      [`projection.${column}.format`]: 'yyyy-MM',
      [`projection.${column}.range`]: `${firstPeriod},NOW`,
      [`projection.${column}.interval`]: '1',
      [`projection.${column}.interval.unit`]: 'MONTHS',
    });
    const columns = (list: readonly SourceColumn[], parquet: boolean) =>
      list.map((c) => ({ name: c.name.toLowerCase(), type: glueType(c, parquet) }));
    const partitionKeys = (format: SourceFormat) =>
      PARTITION_KEYS[format].map((name) => ({ name, type: 'string' }));

    const tables: SourceTable[] = [];
    const dbrSources = props.sources.filter((s) => s.format === 'dbr');
    if (dbrSources.length > 0) {
      const dbrTableName = 'dbr';
      const location = s3Url(props.workBucket, `${WORK_PREFIXES.staging}dbr/`);
      const table = new CfnTable(this, 'DbrTable', {
        catalogId: Aws.ACCOUNT_ID,
        databaseName: this.databaseName,
        tableInput: {
          name: dbrTableName,
          // Columns by position: normalize-dbr writes exactly these, in this order, for every DBR flavour.
          description:
            'Normalized DBR (gzip CSV written by normalize-dbr): the DBR contract columns in order, every field as text',
          tableType: 'EXTERNAL_TABLE',
          partitionKeys: partitionKeys('dbr'),
          parameters: {
            classification: 'csv',
            'skip.header.line.count': '1',
            'projection.enabled': 'true',
            'projection.payer.type': 'enum',
            'projection.payer.values': [...new Set(dbrSources.map((s) => s.payerAccountId))].join(
              ',',
            ),
            ...periodProjection('billing_period'),
            'storage.location.template': `${location}payer=\${payer}/billing_period=\${billing_period}/`,
          },
          storageDescriptor: {
            location,
            columns: columns(DBR_COLUMNS, false),
            inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
            compressed: true,
            serdeInfo: {
              serializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde',
              parameters: { ...STAGED_DBR_DIALECT },
            },
          },
        },
      });
      table.node.addDependency(database);
      for (const source of dbrSources) tables.push({ source, tableName: dbrTableName });
    }

    for (const source of props.sources.filter((s) => s.format !== 'dbr')) {
      const reportName = source.reportName ?? '';
      const tableName = `${source.format}_${source.id}`;
      const base =
        source.format === 'cur'
          ? `${source.prefix}/${reportName}/${reportName}/`
          : `${source.prefix}/${reportName}/data/`;
      const location = s3Url(props.curBucket, base);
      const projection =
        source.format === 'cur'
          ? {
              'projection.year.type': 'integer',
              'projection.year.range': `${firstPeriod.slice(0, 4)},2099`,
              // CUR 1 writes month=7, not month=07: an integer projection without digits matches.
              'projection.month.type': 'integer',
              'projection.month.range': '1,12',
              'storage.location.template': `${location}year=\${year}/month=\${month}/`,
            }
          : {
              ...periodProjection('billing_period'),
              'storage.location.template': `${location}BILLING_PERIOD=\${billing_period}/`,
            };
      const table = new CfnTable(this, `SourceTable${source.id}`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName: this.databaseName,
        tableInput: {
          name: tableName,
          description: `${SOURCE_TABLE_KIND[source.format]} ${reportName} (payer ${source.payerAccountId})`,
          tableType: 'EXTERNAL_TABLE',
          partitionKeys: partitionKeys(source.format),
          parameters: {
            classification: 'parquet',
            'projection.enabled': 'true',
            ...projection,
          },
          storageDescriptor: {
            location,
            columns: columns(columnsFor(source.format), true),
            ...PARQUET_STORAGE,
          },
        },
      });
      table.node.addDependency(database);
      tables.push({ source, tableName });
    }
    this.sourceTables = tables;

    const defaults: Partial<Record<SourceFormat, string>> = {};
    for (const { source, tableName } of tables) {
      if (defaults[source.format] === undefined) defaults[source.format] = tableName;
      else if (defaults[source.format] !== tableName) {
        Annotations.of(this).addWarningV2(
          'whopays:viewsCoverFirstSourcePerFormat',
          `the Athena views cover the first ${source.format} source only; ${tableName} has its own period named queries`,
        );
      }
    }
    this.defaultTables = defaults;

    const workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'whopays attribution queries',
      recursiveDeleteOption: true,
      state: 'ENABLED',
      workGroupConfiguration: {
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        resultConfiguration: {
          outputLocation: s3Url(props.workBucket, WORK_PREFIXES.athenaResults),
          encryptionConfiguration: {
            encryptionOption: 'SSE_KMS',
            kmsKey: props.encryptionKey.keyArn,
          },
        },
      },
    });

    // DBR sources share one table: one set of named queries per table is enough.
    const firstPerTable = tables.filter(
      (t, index) => tables.findIndex((u) => u.tableName === t.tableName) === index,
    );
    for (const { source, tableName } of firstPerTable) {
      const queries = athenaPeriodQueries(source.format, {
        database: this.databaseName,
        table: tableName,
      });
      for (const { kind, sql, parameters } of queries) {
        const { id, title } = PERIOD_QUERY_NAMES[kind];
        const query = new CfnNamedQuery(this, `${id}Query${source.id}`, {
          database: this.databaseName,
          workGroup: this.workGroupName,
          name: `whopays ${title}: ${tableName}`,
          description: `One billing period of ${tableName} (${kind === 'ledger' ? `sql/ledger/${LEDGER_FILE[source.format]}_ledger.sql` : `sql/views/${kind}.sql`}), partitions pruned. Execution parameters: ${parameters.join(', ')}.`,
          queryString: sql,
        });
        query.node.addDependency(workGroup);
        query.node.addDependency(database);
      }
    }

    if (props.viewInstaller !== undefined) {
      const statements = athenaViewStatements({
        tables: Object.fromEntries(
          Object.entries(defaults).map(([format, table]) => [
            format,
            { database: this.databaseName, table },
          ]),
        ),
        viewDatabase: this.databaseName,
      });
      this.grantInstallViews(props.viewInstaller);
      const provider = new Provider(this, 'ViewProvider', {
        onEventHandler: props.viewInstaller,
        logGroup: new LogGroup(this, 'ViewProviderLogs', {
          retention: props.logRetention ?? RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      });
      acknowledgeProviderFramework(provider);
      acknowledgeScopedResources(
        provider,
        [`${props.viewInstaller.functionArn}:*`],
        'The custom-resource framework invokes the view installer function (any of its versions) only.',
      );
      const sourceTables = this.node.children.filter((c) => c instanceof CfnTable);
      // Each statement reads Glue tables only (sql-catalog), so the views are created in
      // parallel; each resource waits for its own statement's verdict.
      statements.forEach((statement, index) => {
        const resource = new CustomResource(this, `View${index}`, {
          serviceToken: provider.serviceToken,
          resourceType: 'Custom::WhopaysView',
          properties: {
            View: statement.view,
            QueryString: statement.sql,
            WorkGroup: this.workGroupName,
            Database: this.databaseName,
          },
        });
        resource.node.addDependency(workGroup, database, ...sourceTables);
        const named = new CfnNamedQuery(this, `ViewQuery${index}`, {
          database: this.databaseName,
          workGroup: this.workGroupName,
          name: `whopays view: ${statement.view}`,
          description: 'CREATE OR REPLACE VIEW statement installed by the stack',
          queryString: statement.sql,
        });
        named.node.addDependency(workGroup);
        named.node.addDependency(database);
      });
    }
  }

  /** ARN of the workgroup (IAM scoping). */
  get workGroupArn(): string {
    return Stack.of(this).formatArn({
      service: 'athena',
      resource: 'workgroup',
      resourceName: this.workGroupName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /** Athena's name for the account's Glue Data Catalog. */
  get dataCatalogArn(): string {
    return Stack.of(this).formatArn({
      service: 'athena',
      resource: 'datacatalog',
      resourceName: 'AwsDataCatalog',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /** The Glue ARNs a query over this database touches. */
  glueArns(): string[] {
    const stack = Stack.of(this);
    const glue = (resource: string, resourceName?: string) =>
      stack.formatArn({
        service: 'glue',
        resource,
        resourceName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    return [glue('catalog'), glue('database', this.databaseName), this.glueTablesArn];
  }

  /** Every table of the whopays database. */
  get glueTablesArn(): string {
    return Stack.of(this).formatArn({
      service: 'glue',
      resource: 'table',
      resourceName: `${this.databaseName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /**
   * Everything running a query in the workgroup needs: start/read the query, read the Glue
   * catalog, read the source prefixes and DBR staging, write results under the results prefix.
   */
  grantRunQueries(grantee: IGrantable): void {
    const { curBucket, workBucket, encryptionKey, sources } = this.props;
    const add = (statement: PolicyStatement) =>
      grantee.grantPrincipal.addToPrincipalPolicy(statement);
    add(
      new PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StopQueryExecution',
          'athena:GetWorkGroup',
        ],
        resources: [this.workGroupArn],
      }),
    );
    add(
      new PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartitions'],
        resources: this.glueArns(),
      }),
    );
    // Listed by AWS for Step Functions' Athena .sync integration ("IAM policies for Amazon Athena
    // calls in Step Functions"): the default data catalog, and Lake Formation's temporary
    // credentials where Lake Formation governs the catalog (GetDataAccess takes no resource).
    add(
      new PolicyStatement({
        actions: ['athena:GetDataCatalog'],
        resources: [this.dataCatalogArn],
      }),
    );
    add(new PolicyStatement({ actions: ['lakeformation:GetDataAccess'], resources: ['*'] }));
    const sourcePrefixes = [
      ...new Set(sources.filter((s) => s.format !== 'dbr').map((s) => s.prefix)),
    ];
    if (sourcePrefixes.length > 0) {
      add(
        new PolicyStatement({
          actions: ['s3:GetObject'],
          resources: sourcePrefixes.map((p) => curBucket.arnForObjects(`${p}/*`)),
        }),
      );
      add(
        new PolicyStatement({
          actions: ['s3:ListBucket', 's3:GetBucketLocation'],
          resources: [curBucket.bucketArn],
        }),
      );
    }
    add(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [workBucket.arnForObjects(`${WORK_PREFIXES.staging}*`)],
      }),
    );
    add(
      new PolicyStatement({
        actions: [
          's3:GetObject',
          's3:PutObject',
          's3:AbortMultipartUpload',
          's3:ListMultipartUploadParts',
        ],
        resources: [workBucket.arnForObjects(`${WORK_PREFIXES.athenaResults}*`)],
      }),
    );
    add(
      new PolicyStatement({
        actions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
        resources: [workBucket.bucketArn],
      }),
    );
    add(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [encryptionKey.keyArn],
      }),
    );
    acknowledgeScopedResources(
      grantee as unknown as Construct,
      [
        ...sourcePrefixes.map((p) => curBucket.arnForObjects(`${p}/*`)),
        workBucket.arnForObjects(`${WORK_PREFIXES.staging}*`),
        workBucket.arnForObjects(`${WORK_PREFIXES.athenaResults}*`),
        this.glueTablesArn,
      ],
      'Athena queries read the configured billing prefixes, the DBR staging prefix and the tables of this database, and write results under the results prefix: each wildcard is a key prefix or the tables of one database.',
    );
  }

  /** What reading a finished query's rows needs (GetQueryResults reads the results object). */
  grantReadResults(grantee: IGrantable): void {
    const add = (statement: PolicyStatement) =>
      grantee.grantPrincipal.addToPrincipalPolicy(statement);
    add(
      new PolicyStatement({
        actions: ['athena:GetQueryExecution', 'athena:GetQueryResults'],
        resources: [this.workGroupArn],
      }),
    );
    add(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.props.workBucket.arnForObjects(`${WORK_PREFIXES.athenaResults}*`)],
      }),
    );
    add(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.props.encryptionKey.keyArn],
      }),
    );
    acknowledgeScopedResources(
      grantee as unknown as Construct,
      [this.props.workBucket.arnForObjects(`${WORK_PREFIXES.athenaResults}*`)],
      'GetQueryResults reads the result objects under the Athena results prefix only.',
    );
  }

  /** What CREATE VIEW in this database needs: run and watch the query, write the view (a Glue table). */
  private grantInstallViews(fn: LambdaFunction): void {
    const statements = [
      new PolicyStatement({
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution'],
        resources: [this.workGroupArn],
      }),
      new PolicyStatement({
        actions: [
          'glue:GetDatabase',
          'glue:GetTable',
          'glue:GetTables',
          'glue:CreateTable',
          'glue:UpdateTable',
        ],
        resources: this.glueArns(),
      }),
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [this.props.workBucket.arnForObjects(`${WORK_PREFIXES.athenaResults}*`)],
      }),
      new PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket'],
        resources: [this.props.workBucket.bucketArn],
      }),
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.props.encryptionKey.keyArn],
      }),
    ];
    for (const statement of statements) fn.addToRolePolicy(statement);
    acknowledgeScopedResources(
      fn,
      [this.props.workBucket.arnForObjects(`${WORK_PREFIXES.athenaResults}*`), this.glueTablesArn],
      'The view installer runs CREATE VIEW in this database (views are Glue tables of this database) and Athena writes its result under the results prefix.',
    );
  }
}
