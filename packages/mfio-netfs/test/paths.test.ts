import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetFs } from '../src/index.js';
import { createLogger } from '../src/server/logger.js';
import { NativeRt } from '@mfio/rt';
import { FrameType as T } from '../src/protocol/constants.js';
import { encodeMessage } from '../src/protocol/encode.js';
import { RawClient } from './support/raw-client.js';
import { startServer, type TestServer } from './support/servers.js';

/**
 * Escapes from the served root: through the client (whose lexical resolution clamps `..` at
 * `/`), through symlinks that lead out, and through raw frames that the client would never
 * send. The secret outside the root must never be read, written, listed or changed.
 */
describe('the served root cannot be left', () => {
  let base: string;
  let s: TestServer;
  let fs: NetFs;
  const secret = 'top secret';

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'mfio-netfs-escape-'));
    const root = join(base, 'root');
    const outside = join(base, 'outside');
    await mkdir(join(root, 'sub'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), secret);
    await writeFile(join(root, 'inside.txt'), 'inside');
    await writeFile(join(root, 'sub', 'file'), 'sub file');
    await symlink(outside, join(root, 'out-abs'));
    await symlink('../outside', join(root, 'out-rel'));
    await symlink('../../outside/secret.txt', join(root, 'sub', 'up'));
    await symlink('../outside/new.txt', join(root, 'dangling-out'));
    await symlink('sub', join(root, 'in-link'));
    await symlink(join(root, 'sub', 'file'), join(root, 'in-abs'));
    await symlink('loop', join(root, 'loop'));
    s = await startServer({ root });
    fs = await NetFs.connect({ port: s.port });
  });
  afterAll(async () => {
    await fs?.close();
    await s?.close();
    await rm(base, { recursive: true, force: true });
  });

  const read = async (path: string): Promise<string> => {
    const file = await fs.open(path);
    try {
      return (await file.readToEnd()).toString();
    } finally {
      await file.close();
    }
  };

  test('`..` and absolute paths stay inside: they name files under the root, which do not exist', async () => {
    await expect(read('../outside/secret.txt')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(read('sub/../../../outside/secret.txt')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(read('/etc/passwd')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await read('/sub/../inside.txt')).toBe('inside');
  });

  test('symlinks that lead out are refused with EACCES for every operation', async () => {
    const cwd = fs.currentDir();
    for (const path of ['out-abs/secret.txt', 'out-rel/secret.txt', 'sub/up']) {
      await expect(read(path)).rejects.toMatchObject({ code: 'EACCES' });
      await expect(cwd.metadata(path)).rejects.toMatchObject({ code: 'EACCES' });
      await expect(cwd.setPermissions(path, { mode: 0o777 })).rejects.toMatchObject({ code: 'EACCES' });
    }
    await expect(cwd.openDir('out-abs')).rejects.toMatchObject({ code: 'EACCES' });
    await expect(cwd.createDir('out-rel/made')).rejects.toMatchObject({ code: 'EACCES' });
    await expect(fs.open('dangling-out', { write: true, create: true })).rejects.toMatchObject({ code: 'EACCES' });
    await expect(cwd.copy('inside.txt', 'out-rel/copied')).rejects.toMatchObject({ code: 'EACCES' });
    await expect(cwd.copy('out-rel/secret.txt', 'copied')).rejects.toMatchObject({ code: 'EACCES' });
    await expect(cwd.rename('inside.txt', 'out-abs/moved')).rejects.toMatchObject({ code: 'EACCES' });
    await expect(cwd.hardLink('out-rel/secret.txt', 'stolen')).rejects.toMatchObject({ code: 'EACCES' });
    await expect(cwd.removeFile('out-abs/secret.txt')).rejects.toMatchObject({ code: 'EACCES' });
    await expect(cwd.removeDirAll('out-rel/')).rejects.toMatchObject({ code: 'EACCES' });
    expect(await readFile(join(base, 'outside', 'secret.txt'), 'utf8')).toBe(secret);
    expect((await stat(join(base, 'outside', 'secret.txt'))).mode & 0o777).not.toBe(0o777);
    await expect(stat(join(base, 'outside', 'new.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(join(base, 'outside', 'moved'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('symlinks that stay inside work; a loop is ELOOP; removing a link that leads out removes only the link', async () => {
    expect(await read('in-link/file')).toBe('sub file');
    expect(await read('in-abs')).toBe('sub file');
    await expect(read('loop')).rejects.toMatchObject({ code: 'ELOOP' });
    await fs.currentDir().removeDirAll('out-rel');
    expect(await readFile(join(base, 'outside', 'secret.txt'), 'utf8')).toBe(secret);
  });

  test('the root itself cannot be removed or renamed', async () => {
    await expect(fs.currentDir().removeDirAll('.')).rejects.toMatchObject({ code: 'EBUSY' });
    await expect(fs.currentDir().rename('/', 'elsewhere')).rejects.toMatchObject({ code: 'EBUSY' });
    expect(await read('inside.txt')).toBe('inside');
  });

  test('raw frames: non-canonical paths are EACCES, encoded dots are plain names, overlong UTF-8 closes the connection', async () => {
    const client = await RawClient.connect(s.port, '');
    const ask = async (path: string): Promise<unknown> => {
      client.send(encodeMessage({ type: T.OPEN_FILE, id: 1, flags: 1, path }));
      return client.next();
    };
    for (const path of [
      '/..',
      '/../outside/secret.txt',
      '/sub/../../outside/secret.txt',
      'inside.txt',
      '//inside.txt',
      '/./inside.txt',
      '/sub/',
      '/..\\outside\\secret.txt',
    ]) {
      expect({ path, answer: await ask(path) }).toEqual({ path, answer: { type: T.ERROR, id: 1, code: 'EACCES' } });
    }
    for (const path of ['/%2e%2e/outside/secret.txt', '/\uff0e\uff0e/outside/secret.txt', '/..%2foutside%2fsecret.txt']) {
      expect({ path, answer: await ask(path) }).toEqual({ path, answer: { type: T.ERROR, id: 1, code: 'ENOENT' } });
    }
    // '/' + overlong encodings of '..' + '/outside': invalid UTF-8, a malformed frame.
    const bytes = Buffer.concat([Buffer.from('/'), Buffer.from([0xc0, 0xae, 0xc0, 0xae]), Buffer.from('/outside/secret.txt')]);
    const frame = Buffer.alloc(9 + 3 + bytes.length);
    frame.writeUInt32LE(frame.length - 4, 0);
    frame.writeUInt8(T.OPEN_FILE, 4);
    frame.writeUInt32LE(2, 5);
    frame.writeUInt8(1, 9);
    frame.writeUInt16LE(bytes.length, 10);
    bytes.copy(frame, 12);
    client.send(frame);
    expect(await client.rest()).toEqual([expect.objectContaining({ type: T.FATAL, code: 'EPROTO' })]);
    // Other connections are untouched.
    expect(await read('inside.txt')).toBe('inside');
  });

  test('a rename racing an open cannot move a symlink into a checked path (200 tries)', async () => {
    // `race/up -> ..` is harmless where it is (it names the root); renamed to `/up` it would
    // name the root's parent. Each try sends the open and the rename in one write, so the
    // server works on both at once; an open that checked `/up/outside/secret.txt` before the
    // rename must not reach the backend after it.
    await mkdir(join(base, 'root', 'race'));
    await symlink('..', join(base, 'root', 'race', 'up'));
    const client = await RawClient.connect(s.port, '');
    try {
      let id = 1;
      for (let attempt = 0; attempt < 200; attempt++) {
        const open = id++;
        const rename = id++;
        client.send(
          Buffer.concat([
            encodeMessage({ type: T.OPEN_FILE, id: open, flags: 1, path: '/up/outside/secret.txt' }),
            encodeMessage({ type: T.RENAME, id: rename, from: '/race/up', to: '/up' }),
          ]),
        );
        const answers = new Map<number, { type: number; code?: string }>();
        while (answers.size < 2) {
          const answer = (await client.next())!;
          answers.set(answer.id, answer);
        }
        expect({ attempt, open: answers.get(open)!.type }).toEqual({ attempt, open: T.ERROR });
        expect(answers.get(rename)!.type).toBe(T.OK);
        client.send(encodeMessage({ type: T.RENAME, id: id++, from: '/up', to: '/race/up' }));
        expect((await client.next())!.type).toBe(T.OK);
      }
    } finally {
      client.socket.destroy();
    }
  });

  // Where the backend can, every open goes through openat2(RESOLVE_BENEATH) from the root, so
  // even a local process swapping a checked directory for a symlink cannot lead an open out.
  const kernelChecked = NativeRt.builder()
    .enableAll()
    .buildEach()
    .filter((r) => {
      void r.rt?.close();
      return r.rt !== undefined && (r.name === 'io_uring' || r.name === 'threadpool');
    });
  test.each([...kernelChecked.map((r) => [r.name, true] as const), ['libuv', false] as const])(
    'a server on %s says whether its opens are checked by the kernel (%s), and serves either way',
    async (backend, checked) => {
      const lines: string[] = [];
      await symlink('../outside', join(base, 'root', `beneath-out-${backend}`));
      const server = await startServer({ backend, root: join(base, 'root'), log: createLogger('info', (line) => lines.push(line)) });
      try {
        expect(lines.some((line) => line.includes('opens checked by the kernel'))).toBe(checked);
        const client = await NetFs.connect({ port: server.port });
        const file = await client.open('sub/file');
        expect((await file.readToEnd()).toString()).toBe('sub file');
        await expect(client.open(`beneath-out-${backend}/secret.txt`)).rejects.toMatchObject({ code: 'EACCES' });
        await client.close();
      } finally {
        await server.close();
      }
    },
  );
});
