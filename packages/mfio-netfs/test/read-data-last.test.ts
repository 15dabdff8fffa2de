// READ_DATA_LAST (feature bit 3, value 8): a client that asks for it gets a one-fragment read as one
// frame; a client of before (no bit) still gets READ_DATA then READ_DONE; reads over several
// fragments and reads at end of file end with READ_DONE either way.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NetFs } from '../src/index.js';
import { Feature, FrameType as T } from '../src/protocol/constants.js';
import { encodeMessage } from '../src/protocol/encode.js';
import { RawClient } from './support/raw-client.js';
import { HANG_MS, startServer, within, type TestServer } from './support/servers.js';

const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff));

describe('READ_DATA_LAST', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ token: 't' });
    await writeFile(join(s.root, 'f.bin'), data);
  });
  afterAll(() => s.close());

  /** An authenticated raw connection sending `features` in HELLO, with f.bin open. */
  async function open(features: number): Promise<{ raw: RawClient; handle: number; serverFeatures: number }> {
    const raw = await RawClient.connect(s.port, 't', { features });
    raw.send(encodeMessage({ type: T.OPEN_FILE, id: 1, flags: 1, path: '/f.bin' }));
    const opened = await within(raw.next(), HANG_MS, 'HANDLE');
    if (opened?.type !== T.HANDLE) throw new Error(`expected HANDLE, got ${JSON.stringify(opened)}`);
    return { raw, handle: opened.handle, serverFeatures: raw.serverFeatures };
  }

  test('the server announces it, and sends it only to a client that asked', async () => {
    const old = await open(0);
    const asking = await open(Feature.READ_DATA_LAST);
    try {
      expect(old.serverFeatures & Feature.READ_DATA_LAST).toBe(Feature.READ_DATA_LAST);
      old.raw.send(encodeMessage({ type: T.READ, id: 2, handle: old.handle, position: 10, length: 5000 }));
      expect(await within(old.raw.next(), HANG_MS, 'READ_DATA')).toMatchObject({ type: T.READ_DATA, id: 2, offset: 0 });
      expect(await within(old.raw.next(), HANG_MS, 'READ_DONE')).toEqual({ type: T.READ_DONE, id: 2, transferred: 5000 });

      asking.raw.send(encodeMessage({ type: T.READ, id: 2, handle: asking.handle, position: 10, length: 5000 }));
      const last = await within(asking.raw.next(), HANG_MS, 'READ_DATA_LAST');
      expect(last).toMatchObject({ type: T.READ_DATA_LAST, id: 2, offset: 0 });
      expect(Buffer.from((last as { data: Uint8Array }).data).equals(data.subarray(10, 5010))).toBe(true);
      // Nothing else for that read: the next frame answers the next request.
      asking.raw.send(encodeMessage({ type: T.READ, id: 3, handle: asking.handle, position: 299_990, length: 100 }));
      expect(await within(asking.raw.next(), HANG_MS, 'short READ_DATA_LAST')).toMatchObject({ type: T.READ_DATA_LAST, id: 3, offset: 0 });
      // At end of file there is no fragment to carry it: READ_DONE 0.
      asking.raw.send(encodeMessage({ type: T.READ, id: 4, handle: asking.handle, position: 400_000, length: 100 }));
      expect(await within(asking.raw.next(), HANG_MS, 'READ_DONE at EOF')).toEqual({ type: T.READ_DONE, id: 4, transferred: 0 });
      // Several fragments: READ_DATA each, then READ_DONE.
      asking.raw.send(encodeMessage({ type: T.READ, id: 5, handle: asking.handle, position: 0, length: 300_000 }));
      const types: number[] = [];
      for (;;) {
        const frame = await within(asking.raw.next(), HANG_MS, 'fragments');
        types.push(frame!.type);
        if (frame!.type !== T.READ_DATA) break;
      }
      expect(types.filter((t) => t === T.READ_DATA).length).toBeGreaterThan(1);
      expect(types.at(-1)).toBe(T.READ_DONE);
    } finally {
      old.raw.socket.destroy();
      asking.raw.socket.destroy();
    }
  });

  test('the client asks for it and reads right with it: whole, short at end of file, empty past it', async () => {
    const fs = await NetFs.connect({ port: s.port, token: 't' });
    try {
      const file = await fs.open('f.bin');
      expect((await file.readAt(123, 4096)).equals(data.subarray(123, 123 + 4096))).toBe(true);
      expect((await file.readAt(299_000, 4096)).equals(data.subarray(299_000))).toBe(true);
      expect((await file.readAt(300_000, 10)).length).toBe(0);
      await file.close();
    } finally {
      await fs.close();
    }
  });
});
