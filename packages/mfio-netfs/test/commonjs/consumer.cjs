// A CommonJS consumer of @mfio/netfs (run by node from commonjs.test.ts): require() resolves to
// the CommonJS build; it serves a temporary directory on 127.0.0.1 (port 0) over an @mfio/rt
// runtime, connects a client, reads a file and a missing one, and stops. Prints one JSON line.
'use strict';
const { mkdtemp, rm, writeFile } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { MfioError } = require('@mfio/core');
const { NativeRt } = require('@mfio/rt');
const { NetFs, NetFsServer } = require('@mfio/netfs');

async function main() {
  const root = await mkdtemp(path.join(tmpdir(), 'mfio-netfs-cjs-'));
  const rt = NativeRt.builder().enableAll().build();
  try {
    await writeFile(path.join(root, 'greeting.txt'), 'served to CommonJS');
    const server = await NetFsServer.start({ fs: rt, root, host: '127.0.0.1', port: 0 });
    const client = await NetFs.connect({ host: '127.0.0.1', port: server.address().port });
    const file = await client.open('greeting.txt');
    const text = (await file.readToEnd()).toString();
    const missing = await client.open('missing.txt').catch((error) => error);
    await file.close();
    await client.close();
    await server.close();
    console.log(
      JSON.stringify({
        resolved: require.resolve('@mfio/netfs'),
        text,
        missingCode: missing.code,
        missingIsMfioError: missing instanceof MfioError,
      }),
    );
  } finally {
    await rt.close();
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
