import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeRt, type BackendName } from '@mfio/rt';
import { NetFsServer, type NetFsServerOptions } from '../../src/index.js';

/** A server on 127.0.0.1 (port 0) over a fresh temporary root, and how to stop it all. */
export interface TestServer {
  readonly server: NetFsServer;
  readonly rt: NativeRt;
  readonly root: string;
  readonly port: number;
  /** Stop the server and the runtime, remove the root. Idempotent. */
  close(): Promise<void>;
}

/** Start a server on a new temp dir with the given backend (default: the builder's first). */
export async function startServer(
  options: Partial<Omit<NetFsServerOptions, 'fs' | 'root'>> & { backend?: BackendName; root?: string } = {},
): Promise<TestServer> {
  const root = options.root ?? (await mkdtemp(join(tmpdir(), 'mfio-netfs-')));
  const builder = NativeRt.builder();
  const rt = (options.backend === undefined ? builder.enableAll() : builder.enable(options.backend)).build();
  let server: NetFsServer;
  try {
    server = await NetFsServer.start({ ...options, fs: rt, root, host: '127.0.0.1', port: 0 });
  } catch (error) {
    await rt.close();
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  let closing: Promise<void> | null = null;
  return {
    server,
    rt,
    root,
    port: server.address().port,
    close: () =>
      (closing ??= (async () => {
        await server.close(1000);
        await rt.close();
        if (options.root === undefined) await rm(root, { recursive: true, force: true });
      })()),
  };
}

export { HANG_MS, describeInFlight, until, within } from '@mfio/rt-conformance';
