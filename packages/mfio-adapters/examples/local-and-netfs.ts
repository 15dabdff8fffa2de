/**
 * What every example does with its file: read it once as a local file of an @mfio/rt runtime
 * and once through netfs (a server on 127.0.0.1 serving the file's directory, and a client),
 * with the same adapter code: the adapters only see a PacketIo.
 */
import { basename, dirname, resolve } from 'node:path';
import { NetFs, NetFsServer } from '@mfio/netfs';
import { NativeRt, type FileHandle } from '@mfio/rt';

export async function onLocalAndNetfs(path: string, read: (file: FileHandle, where: string) => Promise<void>): Promise<void> {
  const rt = NativeRt.builder().enableAll().build();
  const server = await NetFsServer.start({ fs: rt, root: dirname(resolve(path)), host: '127.0.0.1', port: 0 });
  const client = await NetFs.connect({ host: '127.0.0.1', port: server.address().port });
  try {
    for (const [where, open] of [
      [`local file (${rt.backend.name})`, () => rt.open(path)],
      ['netfs file', () => client.open(basename(path))],
    ] as const) {
      const file = await open();
      try {
        await read(file, where);
      } finally {
        await file.close();
      }
    }
  } finally {
    await client.close();
    await server.close();
    await rt.close();
  }
}
