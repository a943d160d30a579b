import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleConfig, synthesize } from './synth-helpers.js';

// The only infra test that really runs esbuild (about a second per function).
describe('bundling', () => {
  it('bundles every pipeline function as ESM with the SQL inlined and without DuckDB', () => {
    // Prepare
    const outdir = mkdtempSync(join(tmpdir(), 'whopays-bundle-'));
    try {
      // Act
      const { app } = synthesize(exampleConfig('aws-cn'), { bundle: true, outdir });
      app.synth();
      // Assess
      const bundles = readdirSync(outdir)
        .filter((d) => d.startsWith('asset.'))
        .map((d) => join(outdir, d, 'index.mjs'))
        .filter((f) => existsSync(f));
      // start-run, normalize-dbr, assemble-report, publish-report, install-views.
      expect(bundles).toHaveLength(5);
      const code = bundles.map((f) => readFileSync(f, 'utf8'));
      for (const text of code) {
        expect(text).not.toMatch(/from\s*["']@duckdb\/node-api["']/);
        expect(text).toContain('createRequire');
      }
      // start-run renders the ledger SQL for Athena: the .sql text must be inside its bundle.
      expect(code.some((text) => text.includes('cur_lines'))).toBe(true);
      for (const f of bundles) expect(existsSync(`${f}.map`)).toBe(true);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
