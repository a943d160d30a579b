// SQL files are imported as text: esbuild's `text` loader in bundles, test/helpers/sql-transform.cjs in jest.
declare module '*.sql' {
  const text: string;
  export default text;
}
