/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
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
