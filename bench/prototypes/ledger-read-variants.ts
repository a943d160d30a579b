// Ways of getting the ledger out of DuckDB into JavaScript rows, on a ledger materialized first (so
// the ledger query is not in the numbers). Each time is `sql+js` ms: DuckDB's part (runAndReadAll)
// and the JavaScript after it. columns: the column-wise read (DECIMAL cast to text); ledgerText:
// every value as text joined by chr(31) into one string_agg; ledgerParts: the same, one text per
// 65,536 rows with a check for values the encoding cannot carry (what duckdb-engine.ts does);
// jsonArrays / jsonObjects: one JSON text of arrays or objects, JSON.parse'd.
//
// usage: npx esbuild bench/prototypes/ledger-read-variants.ts --bundle --platform=node --format=esm
//   --packages=external --loader:.sql=text --outfile=bench/data/ledger-read-variants.mjs
//   node bench/data/ledger-read-variants.mjs <file> <format> [rounds]
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbEngine } from '../../lambdas/adapters/duckdb-engine.js';
import { LEDGER_COLUMNS, ledgerRowsFromColumns } from '../../lambdas/core/ledger.js';
import type { SourceFormat } from '../../lambdas/core/source-columns.js';

const [file, format, roundsText] = process.argv.slice(2) as [string, SourceFormat, string?];
const rounds = Number(roundsText ?? 5);
const engine = await DuckDbEngine.create();
const sql = engine.ledgerSql(await engine.prepare({ location: file, format }));
await engine.close();
const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const connection = await instance.connect();
await connection.run(`create temp table ledger as ${sql}`);

let queryMs = 0;
const read = async (q: string) => {
  const t = performance.now();
  const r = await connection.runAndReadAll(q);
  queryMs = performance.now() - t;
  return r;
};
const text = LEDGER_COLUMNS.map((c) => (c.endsWith('_cost') ? `cast(${c} as varchar)` : c));
const all = LEDGER_COLUMNS.map((c) => `cast(${c} as varchar)`);

/** The rows of one chr(31)-joined ledger text (NULL as chr(30)), appended to `out`. */
const appendRows = (joined: string, count: number, out: unknown[]): void => {
  const v = joined.split('\x1f');
  if (v.length !== count * 13) throw new Error('count');
  const n = (x: string) => (x === '\x1e' ? null : x);
  for (let i = 0; i < v.length; i += 13) {
    out.push({
      billing_period: v[i],
      currency_code: n(v[i + 1]!),
      payer_account_id: v[i + 2],
      usage_account_id: n(v[i + 3]!),
      owner_account_id: n(v[i + 4]!),
      invoice_account_id: n(v[i + 5]!),
      commitment: n(v[i + 6]!),
      line_item_type: n(v[i + 7]!),
      note: n(v[i + 8]!),
      usage_cost: v[i + 9],
      invoice_cost: v[i + 10],
      line_count: Number(v[i + 11]),
      final_line_count: Number(v[i + 12]),
    });
  }
};

const variants: Record<string, () => Promise<unknown[]>> = {
  async columns() {
    const reader = await read(
      `select ${text.map((t, i) => `${t} as ${LEDGER_COLUMNS[i]}`).join(', ')} from ledger`,
    );
    return ledgerRowsFromColumns(reader.getColumnsObjectJson());
  },
  async ledgerText() {
    const fields = all.map((c) => `coalesce(${c}, chr(30))`).join(', ');
    const reader = await read(
      `select string_agg(concat_ws(chr(31), ${fields}), chr(31)), count(*) from ledger`,
    );
    const [[joined], [count]] = reader.getColumnsJson() as [[string], [string]];
    const out: unknown[] = [];
    appendRows(joined, Number(count), out);
    return out;
  },
  async ledgerParts() {
    const fields = all.map((c) => `coalesce(${c}, chr(30))`).join(', ');
    const raw = all.slice(0, 9).join(', ');
    const reader = await read(
      `select string_agg(line, chr(31)), count(*), count(*) filter (where unsafe) from (
         select concat_ws(chr(31), ${fields}) as line,
           regexp_matches(concat(${raw}), '[\\x1e\\x1f]') as unsafe,
           (row_number() over ()) // 65536 as part
         from ledger) group by part`,
    );
    const out: unknown[] = [];
    for (const [joined, count, unsafe] of reader.getRows() as [string, bigint, bigint][]) {
      if (unsafe !== 0n) throw new Error('unsafe');
      appendRows(joined, Number(count), out);
    }
    return out;
  },
  async jsonArrays() {
    const reader = await read(`select string_agg(to_json([${all.join(', ')}]), ',') from ledger`);
    const [[joined]] = reader.getColumnsJson() as [[string]];
    const a = JSON.parse(`[${joined}]`) as string[][];
    const out: unknown[] = new Array(a.length);
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      out[i] = {
        billing_period: v[0],
        currency_code: v[1],
        payer_account_id: v[2],
        usage_account_id: v[3],
        owner_account_id: v[4],
        invoice_account_id: v[5],
        commitment: v[6],
        line_item_type: v[7],
        note: v[8],
        usage_cost: v[9],
        invoice_cost: v[10],
        line_count: Number(v[11]),
        final_line_count: Number(v[12]),
      };
    }
    return out;
  },
  async jsonObjects() {
    const reader = await read(
      `select string_agg(to_json(struct_pack(${text.map((t, i) => `${LEDGER_COLUMNS[i]} := ${t}`).join(', ')})), ',') from ledger`,
    );
    const [[joined]] = reader.getColumnsJson() as [[string]];
    return JSON.parse(`[${joined}]`);
  },
};
const times: Record<string, string[]> = {};
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of Object.entries(variants)) {
    const t = performance.now();
    const rows = await run();
    const took = `${Math.round(queryMs)}+${Math.round(performance.now() - t - queryMs)}`;
    times[name] = [...(times[name] ?? []), took];
    if (r === 0) console.log(name, rows.length, JSON.stringify(rows[0]));
  }
}
console.log(JSON.stringify(times));
connection.closeSync();
instance.closeSync();
