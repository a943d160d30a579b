// Generates (or finds cached) benchmark data: `npx tsx bench/generate.ts [rows] [kind...]`.
import { type DatasetKind, ensureDataset } from './generators/dataset.js';

const [rowsArg, ...kinds] = process.argv.slice(2);
const rows = Number(rowsArg ?? 1_000_000);
const all: DatasetKind[] = ['dbr', 'cur1-csv', 'cur1-parquet', 'cur2-parquet'];
for (const kind of kinds.length > 0 ? (kinds as DatasetKind[]) : all) {
  const dataset = await ensureDataset(kind, rows, (line) => console.error(line));
  console.log(dataset.path);
}
