import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NetFs } from '../src/index.js';
import { startServer, type TestServer } from './support/servers.js';

// `await using` on the netfs client and its files, against a real server on 127.0.0.1.
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
});
