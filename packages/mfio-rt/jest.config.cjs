/** Tests run the TypeScript sources (this package's and the core's) through ts-jest as CommonJS
 * (tsconfig.test.json: a "type": "module" package would otherwise compile to ESM); type errors are
 * caught by `pnpm typecheck`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json', diagnostics: false }],
  },
  moduleNameMapper: {
    '^@mfio/core$': '<rootDir>/../mfio/src/index.ts',
    // src/native/addon-location.ts finds the package with import.meta, which CommonJS lacks.
    '^(\\.{1,2}/)+native/addon-location\\.js$': '<rootDir>/test/support/addon-location.ts',
    '^\\./addon-location\\.js$': '<rootDir>/test/support/addon-location.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 120000,
};
