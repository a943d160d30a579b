// Bundles the CLI (bin/cli.ts) into dist/cli.mjs so `npx whopays` starts without a TypeScript
// loader. Runs on `npm ci` (prepare) and before `npm test`.
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'bin/cli.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  // `whopays doctor` loads its AWS clients with import(): split into chunks, they are read only when
  // doctor runs (in one file they tripled the start of every command).
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Every JavaScript dependency is bundled: Node loading @duckdb/node-api's CommonJS files one by
  // one and zod's took ~0.15 s of each run's start (0.32 s -> 0.17 s for `--help`). Only DuckDB's
  // native binding stays in node_modules; it picks its platform package at run time.
  external: ['@duckdb/node-bindings', '@duckdb/node-bindings-*'],
  // Bundled CommonJS code calls require(): give the ES module one.
  banner: {
    js: "import { createRequire as __whopaysCreateRequire } from 'node:module'; const require = __whopaysCreateRequire(import.meta.url);",
  },
  loader: { '.sql': 'text' },
  sourcemap: 'linked',
  logLevel: 'warning',
});
