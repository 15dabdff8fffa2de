// The server sends large fragments straight from the page cache (SocketFileSplice in @mfio/rt):
// a client of today and one of before (READ_DATA then READ_DONE) get the same bytes as from
// Node's fs, reads running past the end and small reads take the copying path, and TLS
// connections never splice (their bytes must go through the cipher).
import { readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SocketFileSplice } from '@mfio/rt';
import { NetFs } from '../src/index.js';
import { FrameType as T } from '../src/protocol/constants.js';
import { encodeMessage } from '../src/protocol/encode.js';
import { RawClient } from './support/raw-client.js';
import { selfSignedCertificate } from './support/self-signed.js';
import { HANG_MS, startServer, within, type TestServer } from './support/servers.js';

const EXT4 = 0xef53;
const BTRFS = 0x9123683e;
const TMPFS = 0x01021994;
/** Whether the server splices here: Linux 6.5+ (cachestat), a filesystem it splices on, not turned off. */
function splicesHere(): boolean {
  const match = /^(\d+)\.(\d+)/.exec(release());
  const kernel = match === null ? 0 : Number(match[1]) * 1000 + Number(match[2]);
  return process.platform === 'linux' && kernel >= 6005 && process.env.MFIO_SPLICE !== '0' && [EXT4, BTRFS, TMPFS].includes(statfsSync(tmpdir()).type);
}
const splicing = splicesHere();

const data = Buffer.from(Array.from({ length: 4_000_000 }, (_, i) => (i * 31 + (i >> 16)) & 0xff));

describe('READ_DATA spliced from the page cache', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ token: 't' });
    writeFileSync(join(s.root, 'f.bin'), data);
    readFileSync(join(s.root, 'f.bin')); // in the page cache
  });
  afterAll(() => s.close());

  test('64 KiB reads, 64 in flight: the bytes of the file, sent by splice', async () => {
    const fs = await NetFs.connect({ port: s.port, token: 't' });
    try {
      const file = await fs.open('/f.bin');
      const before = SocketFileSplice.stats();
      const positions = Array.from({ length: 256 }, (_, i) => ((i * 7919) % 60) * 65_536 + (i % 3) * 4096);
      const results = await Promise.all(positions.map((position) => file.readAt(position, 65_536)));
      results.forEach((bytes, i) => expect(bytes.equals(data.subarray(positions[i], positions[i]! + 65_536))).toBe(true));
      const spliced = SocketFileSplice.stats().spliced - before.spliced;
      // Every one of them when the server's socket kept up; those it queued went the copying way.
      // Where the server cannot splice (see splicesHere) the same bytes come copied.
      if (splicing) expect(spliced).toBeGreaterThan(0);
      else expect(spliced).toBe(0);
      // Past the end, and small: copied, with the same answers.
      expect((await file.readAt(data.length - 1000, 65_536)).equals(data.subarray(data.length - 1000))).toBe(true);
      expect((await file.readAt(data.length + 10, 65_536)).length).toBe(0);
      expect((await file.readAt(12_345, 100)).equals(data.subarray(12_345, 12_445))).toBe(true);
      // Several fragments (128 KiB each) in one read.
      expect((await file.readAt(1000, 1_000_000)).equals(data.subarray(1000, 1_001_000))).toBe(true);
      await file.close();
    } finally {
      await fs.close();
    }
  });

  test('an old client (no READ_DATA_LAST) gets READ_DATA then READ_DONE, spliced too', async () => {
    const raw = await RawClient.connect(s.port, 't', { features: 0 });
    try {
      raw.send(encodeMessage({ type: T.OPEN_FILE, id: 1, flags: 1, path: '/f.bin' }));
      const opened = await within(raw.next(), HANG_MS, 'HANDLE');
      if (opened?.type !== T.HANDLE) throw new Error(`expected HANDLE, got ${JSON.stringify(opened)}`);
      const before = SocketFileSplice.stats();
      raw.send(encodeMessage({ type: T.READ, id: 2, handle: opened.handle, position: 65_536, length: 65_536 }));
      const frame = await within(raw.next(), HANG_MS, 'READ_DATA');
      expect(frame).toMatchObject({ type: T.READ_DATA, id: 2, offset: 0 });
      expect(Buffer.from((frame as { data: Uint8Array }).data).equals(data.subarray(65_536, 131_072))).toBe(true);
      expect(await within(raw.next(), HANG_MS, 'READ_DONE')).toEqual({ type: T.READ_DONE, id: 2, transferred: 65_536 });
      expect(SocketFileSplice.stats().spliced - before.spliced).toBe(splicing ? 1 : 0);
    } finally {
      raw.socket.destroy();
    }
  });

  test('a TLS connection never splices, and reads the same bytes', async () => {
    const { cert, key } = await selfSignedCertificate();
    const t = await startServer({ token: 'x', tls: { cert, key } });
    try {
      writeFileSync(join(t.root, 'f.bin'), data);
      const fs = await NetFs.connect({ port: t.port, token: 'x', tls: { ca: cert } });
      try {
        const file = await fs.open('/f.bin');
        const before = SocketFileSplice.stats();
        const bytes = await Promise.all([0, 5, 9].map((block) => file.readAt(block * 65_536, 65_536)));
        bytes.forEach((b, i) => expect(b.equals(data.subarray([0, 5, 9][i]! * 65_536, ([0, 5, 9][i]! + 1) * 65_536))).toBe(true));
        expect(SocketFileSplice.stats().spliced).toBe(before.spliced);
        await file.close();
      } finally {
        await fs.close();
      }
    } finally {
      await t.close();
    }
  });
});
