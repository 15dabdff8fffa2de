// A CommonJS consumer of @mfio/rt (run by node from commonjs.test.ts): require() resolves to the
// CommonJS build, which finds and loads the addon, and writes and reads a real file on the first
// backend that starts (MFIO_FS_BACKENDS restricts which). The ES module build, loaded in the same
// process, shares the one addon (Node's require cache, keyed by the binary's path) and reads the
// file too. Prints one JSON line of findings.
'use strict';
const { mkdtemp, rm } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { MfioError } = require('@mfio/core');
const rt = require('@mfio/rt');

async function roundTrip(runtime, filePath) {
  const file = await runtime.open(filePath, { read: true, write: true, create: true, truncate: true });
  await file.writeAllAt(0, `written by ${runtime.backend.name}`);
  const text = (await file.readToEnd()).toString();
  await file.close();
  return text;
}

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'mfio-rt-cjs-'));
  try {
    const runtime = rt.NativeRt.builder().enableAll().build();
    const cjsText = await roundTrip(runtime, path.join(dir, 'f'));
    const esm = await import('@mfio/rt');
    const esmRuntime = esm.NativeRt.builder().enableAll().build();
    const file = await esmRuntime.open(path.join(dir, 'f'));
    const esmText = (await file.readToEnd()).toString();
    const missing = await esmRuntime.open(path.join(dir, 'missing')).catch((error) => error);
    await file.close();
    await Promise.all([runtime.close(), esmRuntime.close()]);
    console.log(
      JSON.stringify({
        resolved: require.resolve('@mfio/rt'),
        backend: runtime.backend.name,
        cjsText,
        esmText,
        addonsLoaded: Object.keys(require.cache).filter((path) => path.endsWith('.node')).length,
        esmErrorIsCjs: missing instanceof MfioError && missing.code === 'ENOENT',
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
