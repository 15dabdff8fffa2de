// The shared setup (../../jest.preset.cjs), testing against the core's and the conformance
// suite's sources.
module.exports = require('../../jest.preset.cjs')({
  // A case may wait for several things, each bounded by the hang limit (HANG_MS in
  // packages/mfio-rt-conformance/src/helpers.ts): jest's own limit comes after them, so their
  // message, naming what hung and what was in flight, is the one that shows.
  testTimeout: 4 * Number(process.env.MFIO_TEST_HANG_MS ?? 60_000),
  mapper: {
    '^@mfio/core$': '<rootDir>/../mfio/src/index.ts',
    '^@mfio/rt-conformance$': '<rootDir>/../mfio-rt-conformance/src/index.ts',
    // src/native/addon-location.ts finds the package with import.meta, which CommonJS lacks.
    '^(\\.{1,2}/)+native/addon-location\\.js$': '<rootDir>/test/support/addon-location.ts',
    '^\\./addon-location\\.js$': '<rootDir>/test/support/addon-location.ts',
  },
});
