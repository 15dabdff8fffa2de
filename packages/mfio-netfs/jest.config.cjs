/** Tests run the TypeScript sources of this package, the runtime and the core through ts-jest as
 * CommonJS (tsconfig.test.json); type errors are caught by `pnpm typecheck`. Servers that a test
 * kills run in a child process from src/ through tsx. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json', diagnostics: false }],
  },
  moduleNameMapper: {
    '^@mfio/core$': '<rootDir>/../mfio/src/index.ts',
    '^@mfio/rt$': '<rootDir>/../mfio-rt/src/index.ts',
    '^@mfio/rt/conformance$': '<rootDir>/../mfio-rt/src/conformance/index.ts',
    // mfio-rt finds its addon with import.meta, which CommonJS lacks: its own test stand-in.
    '^(\\.{1,2}/)+native/addon-location\\.js$': '<rootDir>/../mfio-rt/test/support/addon-location.ts',
    '^\\./addon-location\\.js$': '<rootDir>/../mfio-rt/test/support/addon-location.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 60000,
};
