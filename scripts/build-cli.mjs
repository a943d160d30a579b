// Bundles the CLI (bin/cli.ts) into dist/cli.mjs so `npx whopays` starts in milliseconds
// without a TypeScript loader. Runs on `npm ci` (prepare) and before `npm test`.
import { build } from 'esbuild';

await build({
  entryPoints: ['bin/cli.ts'],
  outfile: 'dist/cli.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Dependencies stay in node_modules: DuckDB is a native module.
  packages: 'external',
  loader: { '.sql': 'text' },
  sourcemap: 'linked',
  logLevel: 'warning',
});
