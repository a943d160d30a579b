// `npm run demo`: regenerates examples/data and prints the whopays report of each example set.
// Works from a fresh clone after `npm ci`; rebuilds dist/cli.mjs (a fraction of a second) so the
// demo never shows a stale bundle.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = join('examples', 'data');
const dbr = join(
  data,
  'dbr',
  '052601815908-aws-billing-detailed-line-items-with-resources-and-tags-ACTS-Ningxia-2025-10.csv.zip',
);
const invoice = join(data, 'invoice', '052601815908-aws-billing-csv-2025-10.csv');
const cur1 = join(data, 'cur');
const cur2 = join(data, 'cur2');
const focus = join(data, 'focus');
const groups = join('examples', 'groups.json');

const sets = [
  { title: 'AWS China DBR-RT, payer 052601815908 (CNY, final)', args: ['report', dbr] },
  {
    title: 'AWS China: reconcile the DBR with the monthly invoice CSV',
    args: ['reconcile', dbr, '--invoice', invoice],
    optional: 'reconcile',
  },
  { title: 'CUR 1, payer 111122223333 (USD, provisional)', args: ['report', cur1] },
  { title: 'CUR 2.0, payer 444455556666 (USD, final)', args: ['report', cur2] },
  {
    title: 'FOCUS 1.2 (Data Exports) of the same spend as the CUR 2.0: the same report',
    args: ['report', focus],
  },
  {
    title: 'Two organizations consolidated, with billing groups (examples/groups.json)',
    args: ['report', cur1, cur2, '--groups', groups],
  },
];

/** Runs a command in the repository root with the terminal attached; stops the demo if it fails. */
function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function heading(title) {
  const rule = '='.repeat(Math.min(100, title.length + 4));
  process.stdout.write(`\n${rule}\n  ${title}\n${rule}\n`);
}

const node = process.execPath;

heading('Generating examples/data');
if (run(node, ['--import', 'tsx', join('examples', 'generate.ts'), data]) !== 0) process.exit(1);

if (run(node, [join('scripts', 'build-cli.mjs')]) !== 0) process.exit(1);

const commands = spawnSync(node, [join('bin', 'whopays.mjs'), '--help'], {
  cwd: root,
  encoding: 'utf8',
}).stdout;

let failed = 0;
for (const set of sets) {
  // Commands that other parts of whopays add later are shown once they exist.
  if (set.optional && !commands?.includes(set.optional)) continue;
  heading(set.title);
  process.stdout.write(`$ npx whopays ${set.args.join(' ')}\n\n`);
  const status = run(node, [join('bin', 'whopays.mjs'), ...set.args]);
  if (status !== 0) {
    process.stdout.write(`\n(whopays exited with status ${status})\n`);
    failed += 1;
  }
}
process.exit(failed === 0 ? 0 : 1);
