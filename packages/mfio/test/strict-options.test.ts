import { text } from 'node:stream/consumers';
import { asyncDispose, chunks, MemoryFile, readAt } from '../src/index.js';

// What a new user tripped over: options that were silently ignored. Each now has Node's meaning
// or a clear error, before any I/O.
describe('options and arguments are never ignored', () => {
  const file = (): MemoryFile => new MemoryFile(Buffer.from('0123456789'));

  test('createReadStream({ start, end }) reads start..end inclusive, as Node', async () => {
    expect(await text(file().createReadStream({ start: 0, end: 3 }))).toBe('0123');
    expect(await text(file().createReadStream({ start: 4, end: 4 }))).toBe('4');
    expect(await text(file().createReadStream({ start: 8, end: 100 }))).toBe('89');
    expect(await text(file().createReadStream({ start: 2, length: 3 }))).toBe('234');
  });

  test('end before start, and end with length, are refused', () => {
    expect(() => file().createReadStream({ start: 5, end: 3 })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE', message: expect.stringContaining('"start"') }),
    );
    expect(() => chunks(file(), { end: 3, length: 4 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringContaining('"length" and "end"') }),
    );
  });

  test('an unknown option is ERR_INVALID_ARG_VALUE naming it and the known ones', async () => {
    expect(() => file().createReadStream({ bogus: 1 } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', message: expect.stringMatching(/"options\.bogus".*"start"/) }),
    );
    await expect(file().readAt(0, 4, { signa: undefined } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    await expect(file().readMany([[0, 1]], { maxgap: 4 } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    await expect(file().readToEnd(0, { length: 4 } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    await expect(file().writeAt(0, 'x', { position: 3 } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    expect(() => file().createWriteStream({ end: 3 } as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });

  test('a length where the options go (readAt(0, buffer, 10)) is ERR_INVALID_ARG_TYPE', async () => {
    await expect(file().readAt(0, Buffer.alloc(4), 10 as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
      message: expect.stringContaining('"options"'),
    });
    await expect(readAt(file(), 0, Buffer.alloc(4), 10 as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(file().writeAllAt(0, 'x', 'utf8' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });

  test('extra arguments are ERR_INVALID_ARG_VALUE saying how many the method takes', () => {
    const f = file() as unknown as { readAt(...args: unknown[]): Promise<unknown>; readAtSync(...args: unknown[]): unknown };
    expect(() => f.readAt(0, Buffer.alloc(4), {}, 10)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', message: 'readAt() takes at most 3 arguments; it was given 4' }),
    );
    expect(() => f.readAtSync(0, Buffer.alloc(4), 10)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });

  test('await using closes a MemoryFile at the end of the scope', async () => {
    let kept: MemoryFile;
    {
      await using f = file();
      kept = f;
      expect(await f.readAt(0, 2)).toEqual(Buffer.from('01'));
    }
    await expect(kept.readAt(0, 2)).rejects.toMatchObject({ code: 'EBADF' });
    expect(typeof kept[asyncDispose]).toBe('function');
  });
});
