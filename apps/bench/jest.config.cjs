/** The tests run the built CLI (dist/, built by turbo before `test`) in child processes, and the
 * TypeScript sources they import directly through ts-jest as CommonJS (tsconfig.test.json: a
 * "type": "module" package would otherwise compile to ESM); type errors are caught by
 * `pnpm typecheck`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json', diagnostics: false }],
  },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 120000,
};
