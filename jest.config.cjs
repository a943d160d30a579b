/**
 * Test projects, so one layer gives feedback on its own: `npx jest --selectProjects core` runs the
 * pure core's table-driven tests in seconds; `sql`, `infra`, `lambdas` and `cli` the rest. Plain
 * `jest` (and `npm test`) runs every project. `cli` takes every test folder the others do not
 * name, so a new folder is never left out of the suite.
 * @type {import('jest').Config}
 */
const shared = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    '^.+\\.sql$': '<rootDir>/test/helpers/sql-transform.cjs',
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json', 'sql'],
  // ESM-only packages (middy, antlr behind dt-sql-parser) must be transformed to CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|antlr4ng|antlr4-c3|dt-sql-parser)/)'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 60000,
};

/** The test folders of each named project; `cli` is the rest. */
const folders = {
  core: ['core', 'currency', 'multi-org'],
  sql: ['sql', 'property'],
  infra: ['infra'],
  lambdas: ['lambdas'],
};
const underAny = (names) => names.map((name) => `<rootDir>/test/${name}/`);

module.exports = {
  testTimeout: 60000,
  // The pure core's coverage, measured on its own table-driven tests: `npm run test:core`.
  collectCoverageFrom: ['lambdas/core/**/*.ts'],
  projects: [
    ...Object.entries(folders).map(([displayName, names]) => ({
      ...shared,
      displayName,
      testMatch: names.map((name) => `<rootDir>/test/${name}/**/*.test.ts`),
      // Coverage counts the files under `roots` that no test loaded, too.
      ...(displayName === 'core' && { roots: ['<rootDir>/test', '<rootDir>/lambdas/core'] }),
    })),
    {
      ...shared,
      displayName: 'cli',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...underAny(Object.values(folders).flat())],
    },
  ],
};
