import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NativeRt } from '@mfio/rt';
import { NetFs, NetFsServer } from '../src/index.js';
import { startServer, type TestServer } from './support/servers.js';

// `await using` on the netfs client and its files, against a real server on 127.0.0.1, and on
// the server itself.
describe('netfs handles are AsyncDisposable', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
    await writeFile(join(server.root, 'a.txt'), 'disposable');
  });
  afterAll(() => server.close());

  test('the end of the scope closes the file, then the client', async () => {
    let client: NetFs;
    let closedFile: boolean;
    {
      await using fs = await NetFs.connect({ port: server.port });
      client = fs;
      {
        await using file = await fs.open('a.txt');
        expect((await file.readAt(0, 10)).toString()).toBe('disposable');
        closedFile = file.closed;
        await using dir = await fs.currentDir().openDir('.');
        expect(dir.path()).toBe('/');
      }
      expect(closedFile).toBe(false);
      expect(fs.diagnostics().open).toEqual({});
    }
    await expect(client.open('a.txt')).rejects.toMatchObject({ code: 'EBADF' });
  });

  test("the end of the scope stops the server: its clients' connections end, the port closes, the Fs stays open", async () => {
    const rt = NativeRt.builder().enableAll().build();
    let client: NetFs | undefined;
    try {
      let port: number;
      {
        await using netfs = await NetFsServer.start({ fs: rt, root: server.root, host: '127.0.0.1', port: 0 });
        port = netfs.address().port;
        client = await NetFs.connect({ port });
        const file = await client.open('a.txt');
        expect((await file.readAt(0, 10)).toString()).toBe('disposable');
        expect(netfs.connections).toBe(1);
      }
      await expect(client.open('a.txt')).rejects.toMatchObject({ code: 'ECONNRESET' });
      await expect(NetFs.connect({ port })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      // The runtime it served is the caller's: still open.
      const local = await rt.open(join(server.root, 'a.txt'));
      expect(Buffer.from(await local.readAt(0, 10))).toEqual(await readFile(join(server.root, 'a.txt')));
      await local.close();
    } finally {
      await client?.close();
      await rt.close();
    }
  });
});
