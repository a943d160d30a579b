// Bundles the bench scripts that import core code (and so .sql files) the way scripts/build-cli.mjs bundles the CLI, so both start alike.
import { build } from 'esbuild';

await build({
  entryPoints: {
    'whopays-direct': 'bench/whopays-direct.ts',
    assemble: 'bench/assemble.ts',
    'publish-budgets': 'bench/publish-budgets.ts',
    'athena-cost': 'bench/athena-cost.ts',
  },
  outdir: 'bench/data',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  loader: { '.sql': 'text' },
  logLevel: 'warning',
});
