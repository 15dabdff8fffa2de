import { promisesOf } from '@mfio/rt/promises';
import { promisesComparison } from '@mfio/rt-conformance';
import { NetFs } from '../src/index.js';
import { startServer } from './support/servers.js';

/**
 * The node:fs/promises comparison cases on the facade over a netfs client, against a real
 * server on 127.0.0.1 serving a temp dir (on the best backend here): the cases' files are made
 * in the served root with node:fs, and the client names them from its root (`/caseN/...`).
 */
promisesComparison('a netfs client', async () => {
  const server = await startServer();
  let fs: NetFs;
  try {
    fs = await NetFs.connect({ port: server.port });
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    fsp: promisesOf(fs),
    root: server.root,
    pathOf: (rel) => `/${rel}`,
    async close(): Promise<void> {
      try {
        await fs.close();
      } finally {
        await server.close();
      }
    },
  };
});
