import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { NativeRt } from '@mfio/rt';
import { conformanceSuite, type ConformanceSubject, type Fixture } from '@mfio/rt-conformance';
import { NetFs } from '../src/index.js';
import { startServer } from './support/servers.js';

/**
 * The runtime's one conformance suite over netfs: a server on 127.0.0.1 backed by each backend
 * that starts here, a client connected to it as the Fs under test. The fixture and the
 * symlinks are made in the server's root with node:fs, not through the API under test.
 * Large files: MFIO_TEST_LARGE_MB MiB each (default 4 here), MFIO_TEST_LARGE_FILES of them
 * (default 2), so the whole package stays within its time budget on two cores.
 */
const largeMb = Number(process.env.MFIO_TEST_LARGE_MB ?? 4);
const largeFiles = Number(process.env.MFIO_TEST_LARGE_FILES ?? 2);

for (const result of NativeRt.builder().enableAll().buildEach()) {
  if (result.rt === undefined) {
    conformanceSuite({ name: `netfs over ${result.name}`, unavailable: result.error.message });
    continue;
  }
  void result.rt.close();
  const backend = result.name;
  conformanceSuite(
    {
      name: `netfs over ${backend}`,
      async setup(): Promise<ConformanceSubject> {
        const server = await startServer({ backend });
        let fs: NetFs;
        try {
          fs = await NetFs.connect({ port: server.port });
        } catch (error) {
          await server.close();
          throw error;
        }
        return {
          fs,
          async writeFixture(dir: string, fixture: Fixture): Promise<void> {
            for (const d of fixture.dirs) await mkdir(join(server.root, dir, d), { recursive: true });
            for (const file of fixture.files) {
              const path = join(server.root, dir, file.path);
              await mkdir(dirname(path), { recursive: true });
              await writeFile(path, file.data);
            }
          },
          // The suite names targets by the client's absolute paths, whose `/` is the root.
          async symlink(target: string, path: string): Promise<void> {
            await symlink(target.startsWith('/') ? join(server.root, target) : target, join(server.root, path));
          },
          async close(): Promise<void> {
            try {
              await fs.close();
            } finally {
              await server.close();
            }
          },
        };
      },
    },
    { tcp: 'netfs is a filesystem only', largeMb, largeFiles },
  );
}
