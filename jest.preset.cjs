/**
 * The jest setup every package shares: tests run the TypeScript sources through ts-jest as
 * CommonJS (each package's tsconfig.test.json: a "type": "module" package would otherwise
 * compile to ESM); type errors are caught by `pnpm typecheck`, not here. `mapper` adds
 * module mappings in front of the one that drops `.js` from relative imports.
 */
module.exports = function jestConfig({ mapper = {}, testTimeout }) {
  return {
    testEnvironment: 'node',
    roots: ['<rootDir>/test'],
    testMatch: ['**/*.test.ts'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json', diagnostics: false }],
    },
    moduleNameMapper: { ...mapper, '^(\\.{1,2}/.*)\\.js$': '$1' },
    testTimeout,
  };
};
