// Node module hooks: `import x from './q.sql'` yields the file's text, as esbuild's text loader does
// in the Lambda bundles and test/helpers/sql-transform.cjs does in jest. Used by the CDK app only
// (lib/ imports the SQL catalog to install Athena views and named queries).
import { readFile } from 'node:fs/promises';

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.sql')) return nextLoad(url, context);
  const text = await readFile(new URL(url), 'utf8');
  return {
    format: 'module',
    shortCircuit: true,
    source: `export default ${JSON.stringify(text)};`,
  };
}
