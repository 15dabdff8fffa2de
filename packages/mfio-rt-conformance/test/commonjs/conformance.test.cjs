// A CommonJS consumer of @mfio/rt-conformance: a plain .cjs test file, run by jest in its default
// (CommonJS) mode with no transform, from commonjs.test.ts. require() resolves to the CommonJS
// builds of this package and of @mfio/rt; the suite runs on the libuv backend (it starts
// everywhere), its filesystem cases only and with 1 MiB large files: what is checked is that the
// CommonJS build loads and registers working cases, which the TCP cases and the default 4 x 64
// MiB of large files (half a minute more here) would not check better.
'use strict';
/* global test, expect */ // jest's globals: this file runs under jest, with no imports of them.
const { conformanceSuite, tempDirTarget, PROMISES_CASES } = require('@mfio/rt-conformance');
const { NativeRt } = require('@mfio/rt');

test('require() resolved the CommonJS builds', () => {
  expect(require.resolve('@mfio/rt-conformance')).toMatch(/[\\/]mfio-rt-conformance[\\/]dist[\\/]cjs[\\/]index\.js$/);
  expect(require.resolve('@mfio/rt')).toMatch(/[\\/]mfio-rt[\\/]dist[\\/]cjs[\\/]index\.js$/);
  expect(PROMISES_CASES.length).toBeGreaterThanOrEqual(60);
});

conformanceSuite(
  tempDirTarget('libuv', (cwd) => {
    const rt = NativeRt.builder().libuv().cwd(cwd).build();
    return { fs: rt, close: () => rt.close() };
  }),
  { tcp: 'the filesystem cases are enough to show the CommonJS build works', largeMb: 1 },
);
