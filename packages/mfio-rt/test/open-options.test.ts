import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { NativeRt, toOpenFlags } from '../src/index.js';

// Open options that used to fail with a bare `EINVAL ... open` now say which option is wrong.
describe('open options say what is wrong', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mfio-open-options-'));
  const rt = NativeRt.builder().fallbackWarning(false).build();
  afterAll(async () => {
    await rt.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test.each([
    [{ create: true }, '"create" needs "write" or "append"'],
    [{ read: true, createNew: true }, '"createNew" needs "write" or "append"'],
    [{ read: true, truncate: true }, '"truncate" needs "write" or "append"'],
    [{}, 'no access: set at least one of "read", "write" or "append"'],
    [{ append: true, truncate: true }, '"truncate" cannot be combined with "append"'],
  ])('%j fails with EINVAL: %s', async (options, rule) => {
    const path = join(dir, 'new.txt');
    await expect(rt.open(path, options)).rejects.toMatchObject({
      code: 'EINVAL',
      syscall: 'open',
      path,
      message: `EINVAL: invalid open options, ${rule}, open '${path}'`,
    });
  });

  test("Node's { flags: 'r' } is refused with a pointer to the mfio options and to @mfio/rt/promises", async () => {
    await expect(rt.open(join(dir, 'x'), { flags: 'r' } as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
      message: expect.stringMatching(/"options\.flags" is Node's.*\{ read: true \}.*@mfio\/rt\/promises/),
    });
  });

  test('an unknown option is ERR_INVALID_ARG_VALUE naming it', () => {
    expect(() => toOpenFlags({ read: true, bogus: true } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining('"options.bogus" is not known') }),
    );
  });

  test('file.createReadStream({ start, end }) reads the inclusive range; readAt refuses a misplaced length', async () => {
    const path = join(dir, 'digits.txt');
    writeFileSync(path, '0123456789');
    await using file = await rt.open(path);
    expect(await text(file.createReadStream({ start: 0, end: 3 }))).toBe('0123');
    await expect(file.readAt(0, Buffer.alloc(4), 10 as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });
});

describe('tcp calls refuse unknown options and misplaced arguments', () => {
  const rt = NativeRt.builder().fallbackWarning(false).build();
  afterAll(() => rt.close());

  test('listen, connect, read and write', async () => {
    await expect(rt.listen('127.0.0.1', 0, { backlg: 4 } as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
      message: expect.stringContaining('"options.backlg"'),
    });
    await using listener = await rt.listen('127.0.0.1', 0);
    const { port } = listener.localAddress();
    await expect(rt.connect('127.0.0.1', port, 5000 as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    const accepted = listener.accept();
    await using client = await rt.connect('127.0.0.1', port);
    await using server = await accepted;
    await expect(client.write('x', { timeout: 5 } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    await expect(server.read(1, 10 as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await client.write('y');
    expect((await server.read(1)).toString()).toBe('y');
  });
});
