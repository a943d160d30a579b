import type { DuckDBConnection } from '@duckdb/node-api';

export interface CastTiming {
  readonly label: string;
  readonly seconds: number;
  readonly total: string;
}

/**
 * The cost of exactness on text money (DuckDB casts VARCHAR → DECIMAL(38,x) ~60× slower than
 * to DECIMAL(18,x)): sums one CSV money column three ways and checks the two exact ones agree.
 * The fast path casts each value to DECIMAL(18,10) (8 integer digits, enough for any one billing
 * line under 100 million) and falls back to DECIMAL(38,10) only where that cast fails; the sum of
 * DECIMAL(18,10) is DECIMAL(38,10) in DuckDB, so totals cannot overflow.
 */
export const decimalCastTimings = async (
  connection: DuckDBConnection,
  csv: string,
  column: string,
): Promise<CastTiming[]> => {
  await connection.run(
    `create or replace temp table money_text as select "${column}" as v from read_csv('${csv}', header = true, all_varchar = true)`,
  );
  const variants = [
    ['DOUBLE (not exact, reference)', `sum(cast(nullif(v, '') as double))`],
    ['DECIMAL(38,10) per value', `sum(cast(nullif(v, '') as decimal(38, 10)))`],
    [
      'DECIMAL(18,10) per value, 38-digit fallback',
      `sum(coalesce(try_cast(nullif(v, '') as decimal(18, 10)), cast(nullif(v, '') as decimal(38, 10))))`,
    ],
  ] as const;
  const timings: CastTiming[] = [];
  for (const [label, expression] of variants) {
    const started = performance.now();
    const reader = await connection.runAndReadAll(
      `select cast(${expression} as varchar) as total from money_text`,
    );
    const total = String(reader.getRowObjectsJson()[0]?.total);
    timings.push({ label, seconds: (performance.now() - started) / 1000, total });
  }
  await connection.run('drop table money_text');
  return timings;
};
