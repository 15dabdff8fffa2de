import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeRt, type FileHandle } from '@mfio/rt';
import { NetFs, NetFsServer } from '@mfio/netfs';

/** Where an adapter reads a file from: the same bytes through two different PacketIo. */
export interface Target {
  readonly name: string;
  /** Open `name` (a file in {@link Targets.dir}) read-only. */
  open(name: string): Promise<FileHandle>;
}

/** A temporary directory, read as local files of an @mfio/rt runtime and through netfs. */
export interface Targets {
  /** Write fixtures here (with node:fs); both targets read them. */
  readonly dir: string;
  readonly rt: NativeRt;
  readonly all: readonly Target[];
  /** Stop the client, the server and the runtime, remove the directory. */
  close(): Promise<void>;
}

/**
 * A temp dir, an @mfio/rt runtime (the builder's first backend), and a real netfs server on
 * 127.0.0.1 (port 0) serving that dir through the runtime, with a client connected to it.
 */
export async function startTargets(): Promise<Targets> {
  const dir = await mkdtemp(join(tmpdir(), 'mfio-adapters-'));
  const rt = NativeRt.builder().enableAll().build();
  const server = await NetFsServer.start({ fs: rt, root: dir, host: '127.0.0.1', port: 0 });
  const client = await NetFs.connect({ host: '127.0.0.1', port: server.address().port });
  return {
    dir,
    rt,
    all: [
      { name: `local file (${rt.backend.name})`, open: (name) => rt.open(join(dir, name)) },
      { name: 'netfs file on 127.0.0.1', open: (name) => client.open(name) },
    ],
    async close() {
      await client.close();
      await server.close(1000);
      await rt.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Run `body` on `name` opened through `target`, closing the file after. */
export async function withFile<T>(target: Target, name: string, body: (file: FileHandle) => Promise<T>): Promise<T> {
  const file = await target.open(name);
  try {
    return await body(file);
  } finally {
    await file.close();
  }
}
