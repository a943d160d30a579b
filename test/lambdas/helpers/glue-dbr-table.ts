import { exampleConfig, synthesize } from '../../infra/synth-helpers.js';

/** The DBR Glue table as Athena reads it: declared columns by position, OpenCSVSerde settings. */
export interface GlueCsvTable {
  readonly columns: readonly string[];
  readonly skipHeader: number;
  readonly serde: { separatorChar: string; quoteChar: string; escapeChar: string };
}

/** The DBR Glue table of the aws-cn example stack, as synthesized. */
export const dbrGlueTable = (): GlueCsvTable => {
  const { template } = synthesize(exampleConfig('aws-cn'));
  const tables = Object.values(template.findResources('AWS::Glue::Table'))
    .map((t) => t.Properties.TableInput)
    .filter((t) => t.Name === 'dbr');
  if (tables.length !== 1) throw new Error(`expected one dbr table, got ${tables.length}`);
  const table = tables[0];
  if (
    table.StorageDescriptor.SerdeInfo.SerializationLibrary !==
    'org.apache.hadoop.hive.serde2.OpenCSVSerde'
  ) {
    throw new Error('the dbr table no longer reads with OpenCSVSerde');
  }
  return {
    columns: table.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name),
    skipHeader: Number(table.Parameters['skip.header.line.count']),
    serde: table.StorageDescriptor.SerdeInfo.Parameters,
  };
};

const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** The Glue table's reading of a file in DuckDB: declared columns by position, every field text as written. */
export const glueRelation = (table: GlueCsvTable, path: string): string => {
  const columns = table.columns.map((name) => `${sqlString(name)}: 'VARCHAR'`).join(', ');
  // OpenCSVSerde keeps "" as an empty string, never NULL; the ledger SQL coalesces both alike.
  return `(select * from read_csv(${sqlString(path)}, auto_detect = false, header = ${table.skipHeader === 1}, delim = ${sqlString(table.serde.separatorChar)}, quote = ${sqlString(table.serde.quoteChar)}, escape = ${sqlString(table.serde.escapeChar)}, allow_quoted_nulls = false, columns = {${columns}}))`;
};
