// The shared setup (../../jest.preset.cjs), testing against the core's sources.
module.exports = require('../../jest.preset.cjs')({
  testTimeout: 120000,
  mapper: {
    '^@mfio/core$': '<rootDir>/../mfio/src/index.ts',
    // src/native/addon-location.ts finds the package with import.meta, which CommonJS lacks.
    '^(\\.{1,2}/)+native/addon-location\\.js$': '<rootDir>/test/support/addon-location.ts',
    '^\\./addon-location\\.js$': '<rootDir>/test/support/addon-location.ts',
  },
});
