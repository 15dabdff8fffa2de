// The shared setup (../../jest.preset.cjs), testing against the sources of the core, the runtime,
// netfs and s3. The S3 target is an object on the Ceph cluster of @mfio/s3's test support: its
// globalSetup starts one for the whole run (or, outside CI, records why it could not, and the S3
// cases show as skipped with that reason), its globalTeardown stops it by pid. hyparquet, hyparquet-writer, geotiff (as jest resolves it) and geotiff's quick-lru
// ship ES modules only: jest (CommonJS here) runs them through ts-jest too, so they are left out of
// the node_modules it does not transform.
const ESM_ONLY = '(hyparquet|hyparquet-writer|geotiff|quick-lru)';
const base = require('../../jest.preset.cjs')({
  testTimeout: 4 * Number(process.env.MFIO_TEST_HANG_MS ?? 60_000),
  mapper: {
    '^@mfio/core$': '<rootDir>/../mfio/src/index.ts',
    '^@mfio/rt$': '<rootDir>/../mfio-rt/src/index.ts',
    '^@mfio/netfs$': '<rootDir>/../mfio-netfs/src/index.ts',
    '^@mfio/s3$': '<rootDir>/../mfio-s3/src/index.ts',
    // mfio-rt finds its addon with import.meta, which CommonJS lacks: its own test stand-in.
    '^(\\.{1,2}/)+native/addon-location\\.js$': '<rootDir>/../mfio-rt/test/support/addon-location.ts',
    '^\\./addon-location\\.js$': '<rootDir>/../mfio-rt/test/support/addon-location.ts',
  },
});
module.exports = {
  ...base,
  globalSetup: '<rootDir>/../mfio-s3/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/../mfio-s3/test/support/global-teardown.ts',
  transform: {
    ...base.transform,
    [`/node_modules/${ESM_ONLY}/.*\\.js$`]: ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json', diagnostics: false }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(\\.pnpm/)?${ESM_ONLY}[@/])`],
};
