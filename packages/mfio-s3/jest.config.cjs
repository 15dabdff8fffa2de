// The shared setup (../../jest.preset.cjs), testing against the sources of the runtime, its
// conformance suite and the core. One Ceph cluster (test/support/ceph-cluster.ts) serves every
// test file: started by globalSetup, stopped by globalTeardown. Files run one at a time
// (maxWorkers 1): they share the cluster, and on two cores radosgw and the OSD need the other one.
const base = require('../../jest.preset.cjs')({
  testTimeout: 4 * Number(process.env.MFIO_TEST_HANG_MS ?? 60_000),
  mapper: {
    '^@mfio/core$': '<rootDir>/../mfio/src/index.ts',
    '^@mfio/rt$': '<rootDir>/../mfio-rt/src/index.ts',
    '^@mfio/rt/promises$': '<rootDir>/../mfio-rt/src/promises/index.ts',
    '^@mfio/rt-conformance$': '<rootDir>/../mfio-rt-conformance/src/index.ts',
    '^@mfio/netfs$': '<rootDir>/../mfio-netfs/src/index.ts',
    // mfio-rt finds its addon with import.meta, which CommonJS lacks: its own test stand-in.
    '^(\\.{1,2}/)+native/addon-location\\.js$': '<rootDir>/../mfio-rt/test/support/addon-location.ts',
    '^\\./addon-location\\.js$': '<rootDir>/../mfio-rt/test/support/addon-location.ts',
  },
});
module.exports = {
  ...base,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 1,
};
