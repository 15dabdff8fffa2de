import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileHandle } from '@mfio/rt';
import { NetFs } from '../src/index.js';
import { FrameType as T } from '../src/protocol/constants.js';
import { encodeMessage } from '../src/protocol/encode.js';
import { RawClient } from './support/raw-client.js';
import { HANG_MS, startServer, within, type TestServer } from './support/servers.js';

const SIZE = 8 * 1024 * 1024;

/**
 * Read all of big.bin into a buffer of 0xaa bytes and abort in the same tick; resolves with the
 * buffer once the client has let go of it (the abort error's `released`).
 */
async function readAbortedAtOnce(file: FileHandle): Promise<Buffer> {
  const buffer = Buffer.alloc(SIZE, 0xaa);
  const controller = new AbortController();
  const reading = file.readAt(0, buffer, { signal: controller.signal });
  controller.abort();
  const error = (await reading.then(
    () => null,
    (e: unknown) => e,
  )) as { code: string; released: Promise<void> };
  expect(error).toMatchObject({ code: 'ABORT_ERR' });
  await within(error.released, HANG_MS, 'the buffer release');
  return buffer;
}

describe('CANCEL', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ token: 't' });
    const data = Buffer.alloc(SIZE);
    for (let i = 0; i < SIZE; i += 4) data.writeUInt32LE(i, i);
    await writeFile(join(s.root, 'big.bin'), data);
  });
  afterAll(() => s.close());

  /** A raw, authenticated connection with big.bin open, and its handle. */
  async function rawWithFile(port = s.port): Promise<{ raw: RawClient; handle: number }> {
    const raw = await RawClient.connect(port, 't');
    raw.send(encodeMessage({ type: T.OPEN_FILE, id: 1, flags: 1, path: '/big.bin' }));
    const opened = await raw.next();
    if (opened?.type !== T.HANDLE) throw new Error(`expected HANDLE, got ${JSON.stringify(opened)}`);
    return { raw, handle: opened.handle };
  }

  test('the server offers it in CHALLENGE', async () => {
    const fs = await NetFs.connect({ port: s.port, token: 't' });
    try {
      expect(fs.canCancel).toBe(true);
    } finally {
      await fs.close();
    }
  });

  test('a READ cancelled before its first fragment ends with ERROR ECANCELED and no data; the connection goes on', async () => {
    const { raw, handle } = await rawWithFile();
    try {
      // One write: the server takes both frames in one pass, before the read sends anything.
      raw.send(Buffer.concat([encodeMessage({ type: T.READ, id: 5, handle, position: 0, length: SIZE }), encodeMessage({ type: T.CANCEL, id: 5 })]));
      expect(await within(raw.next(), HANG_MS, 'the cancelled READ')).toEqual({ type: T.ERROR, id: 5, code: 'ECANCELED' });
      // Unknown ids (answered already, or never sent) are ignored: no answer, no FATAL.
      raw.send(encodeMessage({ type: T.CANCEL, id: 5 }));
      raw.send(encodeMessage({ type: T.CANCEL, id: 77 }));
      raw.send(encodeMessage({ type: T.READ, id: 6, handle, position: 400, length: 8 }));
      const data = await raw.next();
      expect(data).toMatchObject({ type: T.READ_DATA, id: 6, offset: 0 });
      expect(Buffer.from((data as { data: Uint8Array }).data)).toEqual(Buffer.from([144, 1, 0, 0, 148, 1, 0, 0]));
      expect(await raw.next()).toEqual({ type: T.READ_DONE, id: 6, transferred: 8 });
    } finally {
      raw.socket.destroy();
    }
  });

  test('a CANCEL naming request id 0 is a protocol error', async () => {
    const { raw } = await rawWithFile();
    raw.send(encodeMessage({ type: T.CANCEL, id: 0 }));
    expect(await within(raw.next(), HANG_MS, 'FATAL')).toMatchObject({ type: T.FATAL, code: 'EPROTO' });
    await raw.closed;
  });

  test('aborting a read through the client stops the server: the rest of the buffer is never written', async () => {
    const fs = await NetFs.connect({ port: s.port, token: 't' });
    try {
      const file = await fs.open('big.bin');
      const buffer = await readAbortedAtOnce(file); // READ and CANCEL leave in one write
      // Without CANCEL the server would send all 8 MiB and the client would land it here.
      expect(buffer.subarray(SIZE - 1024 * 1024).every((b) => b === 0xaa)).toBe(true);
      // The same connection still reads correctly.
      expect((await file.readAt(SIZE - 4, 4)).readUInt32LE(0)).toBe(SIZE - 4);
      await file.close();
    } finally {
      await fs.close();
    }
  });

  describe("at the server's in-flight limit", () => {
    let small: TestServer;
    beforeAll(async () => {
      small = await startServer({ token: 't', limits: { maxInFlight: 1, maxRead: 1024 * 1024 } });
      await writeFile(join(small.root, 'big.bin'), await readFile(join(s.root, 'big.bin')));
    });
    afterAll(() => small.close());

    test('a CANCEL is still read while the server works on its one READ', async () => {
      const { raw, handle } = await rawWithFile(small.port);
      try {
        raw.send(Buffer.concat([encodeMessage({ type: T.READ, id: 5, handle, position: 0, length: 1024 * 1024 }), encodeMessage({ type: T.CANCEL, id: 5 })]));
        expect(await within(raw.next(), HANG_MS, 'the cancelled READ')).toEqual({ type: T.ERROR, id: 5, code: 'ECANCELED' });
      } finally {
        raw.socket.destroy();
      }
    });

    test('the client keeps requests over the limit until there is room, and drops them on abort', async () => {
      const fs = await NetFs.connect({ port: small.port, token: 't' });
      try {
        const file = await fs.open('big.bin');
        // 8 reads of 1 MiB (maxRead) for one call: one goes out, seven wait in the client.
        const buffer = await readAbortedAtOnce(file);
        expect(buffer.subarray(1024 * 1024).every((b) => b === 0xaa)).toBe(true);
        // Many reads at once through a limit of one: every one answered, in place, in full.
        const reads = Array.from({ length: 40 }, (_, i) => file.readAt(i * 200_003, 8));
        const got = await within(Promise.all(reads), HANG_MS, '40 reads through maxInFlight 1');
        got.forEach((bytes, i) => {
          const at = i * 200_003;
          const expected = Buffer.alloc(8);
          for (let k = 0; k < 8; k++) expected[k] = (((at + k) & ~3) >>> (8 * ((at + k) & 3))) & 0xff;
          expect(bytes).toEqual(expected);
        });
        await file.close();
      } finally {
        await fs.close();
      }
    });
  });
});
