import { mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MfioError } from '@mfio/core';
import { NativeRt, VirtFs } from '../src/index.js';

/**
 * Direct I/O beyond the shared conformance cases: where the alignment comes from, what the
 * counters say, the backends that refuse it, and close waiting for a block write.
 */
const dir = mkdtempSync(join(tmpdir(), 'mfio-direct-'));
const data = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7) % 251));
const path = join(dir, 'data.bin');
writeFileSync(path, data);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TMPFS_MAGIC = 0x01021994;
const EXT4_MAGIC = 0xef53;
/** Whether this is Linux `major.minor` or later. */
function kernelAtLeast(major: number, minor: number): boolean {
  const match = process.platform === 'linux' ? /^(\d+)\.(\d+)/.exec(release()) : null;
  if (match === null) return false;
  const [have, haveMinor] = [Number(match[1]), Number(match[2])];
  return have > major || (have === major && haveMinor >= minor);
}
// STATX_DIOALIGN came in Linux 6.1 (ext4 reports it); tmpfs took O_DIRECT in 6.6.
const ext4Reports = kernelAtLeast(6, 1) && statfsSync(tmpdir()).type === EXT4_MAGIC;
const shm = '/dev/shm';
const onTmpfs = kernelAtLeast(6, 6) && statfsSync(shm).type === TMPFS_MAGIC;

for (const result of NativeRt.builder().enableAll().buildEach()) {
  if (result.rt === undefined) continue;
  void result.rt.close();
  const name = result.name;
  describe(`direct I/O on ${name}`, () => {
    let rt: NativeRt;
    beforeAll(() => {
      rt = NativeRt.builder().enable(name).build();
    });
    afterAll(() => rt.close());

    // libuv's fs has no statx, and other filesystems may not report it: a probe read finds it.
    const reported = name !== 'libuv' && ext4Reports ? 'statx' : 'probe';
    test(`the alignment comes from ${reported === 'statx' ? 'statx' : 'a probe read'}; the counters show whole blocks read`, async () => {
      const file = await rt.open(path, { read: true, direct: true });
      try {
        const { memory, offset, source } = file.directIo!;
        expect(source).toBe(reported);
        expect(memory).toBeGreaterThan(0);
        expect(offset).toBeGreaterThanOrEqual(512);
        expect(await file.readAt(offset + 10, 100)).toEqual(data.subarray(offset + 10, offset + 110));
        expect(file.directIo).toMatchObject({ readRequested: 100, readFromDevice: offset, bounced: 1, straight: 0 });
      } finally {
        await file.close();
      }
    });

    (onTmpfs ? test : test.skip)('tmpfs takes O_DIRECT without reporting its alignment: a probe read finds it', async () => {
      const shmPath = join(shm, `mfio-direct-${process.pid}-${name}.bin`);
      writeFileSync(shmPath, data);
      try {
        const file = await rt.open(shmPath, { read: true, direct: true });
        expect(file.directIo).toMatchObject({ source: 'probe', offset: 512, memory: 512 });
        expect(await file.readAt(1, 20_000)).toEqual(data.subarray(1, 20_001));
        await file.close();
        // Nothing to probe in an empty file: the default that fits every device.
        writeFileSync(shmPath, '');
        const empty = await rt.open(shmPath, { read: true, write: true, direct: true });
        expect(empty.directIo).toMatchObject({ source: 'default', offset: 4096 });
        await empty.writeAllAt(3, Buffer.from('abc'));
        expect(await empty.readAt(0, 10)).toEqual(Buffer.from([0, 0, 0, 97, 98, 99]));
        await empty.close();
      } finally {
        rmSync(shmPath, { force: true });
      }
    });

    test('close waits for an unaligned write between its block read and its block write', async () => {
      const copy = join(dir, `close-${name}.bin`);
      writeFileSync(copy, data);
      const file = await rt.open(copy, { read: true, write: true, direct: true });
      const writes = Array.from({ length: 20 }, (_, i) => file.writeAllAt(i * 1000 + 1, Buffer.from(`w${i}`)));
      await file.close();
      await Promise.all(writes);
      const check = await rt.open(copy);
      for (let i = 0; i < 20; i++) expect((await check.readAt(i * 1000 + 1, 3)).toString().startsWith(`w${i}`)).toBe(true);
      await check.close();
    });

    test('a bounced read aborted in flight rejects with ABORT_ERR; its buffer is untouched once released', async () => {
      const file = await rt.open(path, { read: true, direct: true });
      try {
        const into = Buffer.alloc(100, 0xaa);
        const controller = new AbortController();
        const reading = file.readAt(3, into, { signal: controller.signal });
        controller.abort(); // the bounce read is queued or in the kernel by now
        const error = (await reading.catch((e: unknown) => e)) as MfioError;
        expect(error).toMatchObject({ code: 'ABORT_ERR' });
        await error.released;
        expect(into.every((b) => b === 0xaa)).toBe(true);
        expect(file.directIo!.bounced).toBe(1);
        expect(await file.readAt(3, 4)).toEqual(data.subarray(3, 7));
      } finally {
        await file.close();
      }
    });

    test('a write-only direct handle still patches unaligned blocks (it reads them itself)', async () => {
      const copy = join(dir, `write-only-${name}.bin`);
      writeFileSync(copy, data);
      const file = await rt.open(copy, { write: true, direct: true });
      await file.writeAllAt(1001, Buffer.from('patch'));
      await expect(file.readAt(0, 4)).rejects.toMatchObject({ code: 'EBADF' });
      await file.close();
      const expected = Buffer.from(data);
      expected.write('patch', 1001);
      expect(readFileSync(copy)).toEqual(expected);
    });

    const syncCase = 'sync wrappers: an unaligned write past the end and a read, on the calling thread';
    (name === 'libuv' ? test.skip : test)(
      name === 'libuv' ? `${syncCase} (skipped: libuv cannot block on its own loop, it has no sync wrappers)` : syncCase,
      async () => {
        const copy = join(dir, `sync-${name}.bin`);
        writeFileSync(copy, data.subarray(0, 5000));
        const file = await rt.open(copy, { read: true, write: true, direct: true });
        try {
          file.writeAllAtSync(4990, Buffer.from('0123456789abcdefghij'));
          expect(file.readAtSync(4990, 100)).toEqual(Buffer.from('0123456789abcdefghij'));
          expect((await file.metadata()).len).toBe(5010);
        } finally {
          await file.close();
        }
      },
    );
  });
}

test("a backend without direct I/O refuses it by name; 'prefer' opens buffered", async () => {
  const fs = new VirtFs();
  try {
    const file = await fs.open('/a.bin', { write: true, read: true, create: true });
    await file.writeAllAt(0, Buffer.from('hello'));
    await file.close();
    await expect(fs.open('/a.bin', { read: true, direct: true })).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/'memory' backend has no direct I\/O/),
    });
    const buffered = await fs.open('/a.bin', { read: true, direct: 'prefer' });
    expect(buffered.directIo).toBeNull();
    expect(await buffered.readAt(0, 5)).toEqual(Buffer.from('hello'));
    await buffered.close();
  } finally {
    await fs.close();
  }
});
