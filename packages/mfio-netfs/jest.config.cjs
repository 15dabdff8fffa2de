// The shared setup (../../jest.preset.cjs), testing against the sources of the runtime, its
// conformance suite and the core. Servers that a test kills run in a child process from src/
// through tsx.
module.exports = require('../../jest.preset.cjs')({
  // A case may wait for several things, each bounded by the hang limit (HANG_MS in
  // packages/mfio-rt-conformance/src/helpers.ts): jest's own limit comes after them, so their
  // message, naming what hung and what was in flight, is the one that shows.
  testTimeout: 4 * Number(process.env.MFIO_TEST_HANG_MS ?? 60_000),
  mapper: {
    '^@mfio/core$': '<rootDir>/../mfio/src/index.ts',
    '^@mfio/rt$': '<rootDir>/../mfio-rt/src/index.ts',
    '^@mfio/rt/promises$': '<rootDir>/../mfio-rt/src/promises/index.ts',
    '^@mfio/rt-conformance$': '<rootDir>/../mfio-rt-conformance/src/index.ts',
    // mfio-rt finds its addon with import.meta, which CommonJS lacks: its own test stand-in.
    '^(\\.{1,2}/)+native/addon-location\\.js$': '<rootDir>/../mfio-rt/test/support/addon-location.ts',
    '^\\./addon-location\\.js$': '<rootDir>/../mfio-rt/test/support/addon-location.ts',
  },
});
