/**
 * Writes the example billing data: `npx tsx examples/generate.ts [outDir]` (default examples/data).
 *
 *   <outDir>/dbr/       AWS China DBR-RT, payer 052601815908, 2025-10 (CNY, final)
 *   <outDir>/invoice/   the matching monthly invoice CSV (for `whopays reconcile`)
 *   <outDir>/cur/       legacy CUR 1 CSV.gz + manifest, payer 111122223333 (USD, provisional)
 *   <outDir>/cur2/      CUR 2.0 Parquet + manifest, payer 444455556666 (USD, final)
 *   <outDir>/focus/     FOCUS 1.2 Parquet + manifest of the same spend as cur2/
 *
 * The output is deterministic: the same scenarios always give the same files. The folder is
 * replaced as a whole so a stale file from an older run cannot join a report.
 */
import { rm } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { CUR_ACME } from './scenarios/cur-acme.js';
import { CUR2_GLOBEX } from './scenarios/cur2-globex.js';
import { DBR_CHINA } from './scenarios/dbr-china.js';
import { writeCur1, writeCur2 } from './writers/cur-files.js';
import { writeDbrFiles } from './writers/dbr-files.js';
import { writeFocus } from './writers/focus-files.js';

const outDir = resolve(process.argv[2] ?? 'examples/data');

await rm(outDir, { recursive: true, force: true });
const { dbr, invoice } = await writeDbrFiles(DBR_CHINA, outDir);
const cur1 = await writeCur1(CUR_ACME, outDir);
const cur2 = await writeCur2(CUR2_GLOBEX, outDir);
const focus = await writeFocus(CUR2_GLOBEX, 'globex-focus', outDir);

for (const file of [dbr, invoice, cur1, cur2, focus]) {
  process.stderr.write(`wrote ${relative(process.cwd(), file)}\n`);
}
