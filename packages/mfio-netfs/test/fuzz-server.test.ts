import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@mfio/core';
import { NetFs } from '../src/index.js';
import { FrameType as T } from '../src/protocol/constants.js';
import { encodeMessage } from '../src/protocol/encode.js';
import type { Request } from '../src/protocol/messages.js';
import { RawClient } from './support/raw-client.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { HANG_MS, within } from './support/servers.js';

/** Random and mutated frames sent to one live server (MFIO_TEST_FUZZ_FRAMES to change). */
const FRAMES = Number(process.env.MFIO_TEST_FUZZ_FRAMES ?? 10_000);
const MiB = 1024 * 1024;

const REQUEST_TYPES = [
  T.OPEN_FILE,
  T.CLOSE_FILE,
  T.READ,
  T.WRITE,
  T.FILE_METADATA,
  T.SET_LEN,
  T.SYNC,
  T.OPEN_DIR,
  T.READ_DIR,
  T.CLOSE_DIR,
  T.METADATA,
  T.CREATE_DIR,
  T.REMOVE_DIR,
  T.REMOVE_DIR_ALL,
  T.REMOVE_FILE,
  T.RENAME,
  T.COPY,
  T.HARD_LINK,
  T.SET_PERMISSIONS,
] as const;

/** Paths a client could send: real ones, missing ones, non-canonical ones, odd characters. */
function randomPath(r: SeededRandom): string {
  const pool = ['/', '/data', '/d', '/d/x', '/d/y/z', '/nope', '/..', '/d/../..', 'rel', '//d', '/d/', '/é', '/%2e%2e', '/a\\b'];
  if (r.int(3) > 0) return pool[r.int(pool.length)]!;
  const alphabet = 'abc./\\é%\u00ff';
  let path = '/';
  for (let n = r.range(1, 12); n > 0; n--) path += alphabet[r.int(alphabet.length)];
  return path;
}

/** A well-formed request with random fields: the server must answer it, never close on it. */
function randomRequest(r: SeededRandom, id: number): Request {
  const type = REQUEST_TYPES[r.int(REQUEST_TYPES.length)]!;
  const handle = r.int(8) === 0 ? r.range(1, 0xffffffff) : r.range(1, 6);
  const position = r.int(4) === 0 ? r.int(2 ** 40) : r.int(1 << 20);
  switch (type) {
    case T.OPEN_FILE:
      return { type, id, flags: r.int(64), path: randomPath(r) };
    case T.READ:
      return { type, id, handle, position, length: r.int(16) === 0 ? r.range(1, 2 * MiB) : r.range(1, 8192) };
    case T.WRITE:
      return { type, id, handle, position, data: Buffer.from(r.bytes(r.range(1, 4096))) };
    case T.SET_LEN:
      return { type, id, handle, length: position };
    case T.READ_DIR:
      return { type, id, handle, max: r.range(1, 1024) };
    case T.CREATE_DIR:
      return { type, id, recursive: r.int(2) === 0, path: randomPath(r) };
    case T.RENAME:
    case T.COPY:
    case T.HARD_LINK:
      return { type, id, from: randomPath(r), to: randomPath(r) };
    case T.SET_PERMISSIONS:
      return { type, id, mode: r.int(0o10000), path: randomPath(r) };
    case T.OPEN_DIR:
    case T.METADATA:
    case T.REMOVE_DIR:
    case T.REMOVE_DIR_ALL:
    case T.REMOVE_FILE:
      return { type, id, path: randomPath(r) };
    default:
      return { type, id, handle };
  }
}

/** A frame whose type, id or payload bytes were flipped, cut or extended; its length field stays true. */
function mutatedFrame(r: SeededRandom, id: number): Buffer {
  let frame = Buffer.from(encodeMessage(randomRequest(r, id)));
  switch (r.int(4)) {
    case 0:
      for (let k = r.range(1, 4); k > 0; k--) frame[r.range(4, frame.length - 1)] = r.int(256);
      break;
    case 1:
      frame = frame.subarray(0, r.range(9, frame.length));
      break;
    case 2:
      frame = Buffer.concat([frame, Buffer.from(r.bytes(r.range(1, 16)))]);
      break;
    default:
      frame = Buffer.concat([frame.subarray(0, 9), Buffer.from(r.bytes(r.range(0, 64)))]);
      frame[4] = r.int(256);
  }
  frame.writeUInt32LE(frame.length - 4, 0);
  return frame;
}

/** A frame attacking the length field itself: over the maximum, under a header, or never finished. */
function lengthAttack(r: SeededRandom): { frame: Buffer; completes: boolean } {
  const frame = Buffer.from(r.bytes(r.range(9, 40)));
  const kind = r.int(3);
  if (kind === 0) frame.writeUInt32LE(r.range(2 * MiB, 0xffffffff), 0);
  else if (kind === 1) frame.writeUInt32LE(r.int(5), 0);
  else frame.writeUInt32LE(r.range(frame.length, 1024 * 1024), 0); // promises more than it sends
  return { frame, completes: kind !== 2 };
}

describe('fuzzing a live server', () => {
  let root: string;
  let server: ServerProcess;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mfio-netfs-fuzz-'));
    await writeFile(join(root, 'data'), Buffer.alloc(MiB, 7));
    server = await startServerProcess(['--root', root, '--log-level', 'info', '--backend', 'libuv']);
  });
  afterAll(async () => {
    await server?.kill();
    await rm(root, { recursive: true, force: true });
  });

  test(
    `${FRAMES} random and mutated frames: only the offending connections close, memory stays bounded, a good client is served after`,
    async () => {
      const random = new SeededRandom(20_261_130);
      // Warm up with a normal session so the baseline includes a served client.
      const warm = await NetFs.connect({ port: server.port });
      await (await warm.open('data')).readToEnd();
      await warm.close();
      const before = await server.memory();

      let sent = 0;
      let fatalClosed = 0;
      let connections = 0;
      // Bounded by count, not by time: a loaded machine sends them more slowly, not fewer.
      while (sent < FRAMES) {
        connections++;
        if (random.int(10) === 0) {
          // Before the handshake, anything but HELLO is a violation.
          const client = await RawClient.connect(server.port);
          client.send(random.int(2) === 0 ? mutatedFrame(random, 1) : encodeMessage(randomRequest(random, 1)));
          sent++;
          const rest = await within(client.rest(), HANG_MS, 'a pre-handshake violation closing');
          expect(rest.at(-1)).toMatchObject({ type: T.FATAL });
          fatalClosed++;
          continue;
        }
        const client = await RawClient.connect(server.port, '');
        let id = 0;
        client.send(encodeMessage({ type: T.OPEN_FILE, id: ++id, flags: 3, path: '/data' }));
        // Well-formed random requests, pipelined: each gets exactly one final answer, none closes.
        const batch = 100;
        for (let i = 0; i < batch; i++) client.send(encodeMessage(randomRequest(random, ++id)));
        sent += batch;
        for (let finals = 0; finals < batch + 1;) {
          const response = await within(client.next(), HANG_MS, 'an answer to a well-formed request');
          expect(response).not.toBeNull();
          expect(response!.type).not.toBe(T.FATAL);
          if (response!.type !== T.READ_DATA) finals++;
        }
        // Mutated frames one at a time, each followed by a probe, until the server closes on one.
        let open = true;
        for (let m = 0; m < 40 && open; m++) {
          client.send(mutatedFrame(random, ++id));
          sent++;
          const probe = ++id;
          client.send(encodeMessage({ type: T.METADATA, id: probe, path: '/' }));
          for (;;) {
            const response = await within(client.next(), HANG_MS, 'an answer or a close after a mutated frame');
            if (response === null) {
              open = false;
              break;
            }
            if (response.type === T.FATAL) fatalClosed++;
            if (response.id === probe && response.type !== T.READ_DATA) break;
          }
        }
        if (open) {
          const attack = lengthAttack(random);
          client.send(attack.frame);
          sent++;
          if (attack.completes) {
            expect((await within(client.rest(), HANG_MS, 'a length attack closing')).at(-1)).toMatchObject({ type: T.FATAL });
            fatalClosed++;
          } else {
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        }
        client.socket.destroy();
        await client.closed;
      }
      expect(sent).toBeGreaterThanOrEqual(FRAMES);

      // A flood that never reads its answers: the server must stop reading it, not buffer.
      const flood = await RawClient.connect(server.port, '');
      flood.socket.pause();
      flood.send(encodeMessage({ type: T.OPEN_FILE, id: 1, flags: 1, path: '/data' }));
      for (let id = 2; id < 20_000; id++) flood.send(encodeMessage({ type: T.READ, id, handle: 1, position: 0, length: MiB }));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const flooded = await server.memory();
      flood.socket.destroy();

      // The server still serves a well-behaved client, byte for byte.
      const fs = await NetFs.connect({ port: server.port });
      const file = await fs.open('fresh.bin', { read: true, write: true, create: true, truncate: true });
      const payload = Buffer.from(random.bytes(3 * MiB));
      await file.writeAllAt(0, payload);
      expect((await file.readToEnd()).equals(payload)).toBe(true);
      await file.close();
      await fs.close();

      const after = await server.memory();
      // Bounded: the limits allow ~32 MiB of reads per connection plus 8 MiB of queued output.
      expect(flooded.rss - before.rss).toBeLessThan(128 * MiB); // 20,000 reads of 1 MiB asked for
      expect(after.peak - before.rss).toBeLessThan(256 * MiB);
      expect(after.rss - before.rss).toBeLessThan(128 * MiB);
      expect(fatalClosed).toBeGreaterThan(connections / 2);
      // One log line per connection that broke the protocol, naming why.
      expect(server.log.filter((line) => / warn conn#\d+ .* closed: (EPROTO|EMSGSIZE) /.test(line)).length).toBeGreaterThan(connections / 2);
      expect(server.child.exitCode).toBeNull();
      process.stdout.write(
        `fuzz: ${sent} frames over ${connections} connections, ${fatalClosed} closed by FATAL; server rss ${(before.rss / MiB).toFixed(0)} -> ${(after.rss / MiB).toFixed(0)} MiB, peak ${(after.peak / MiB).toFixed(0)} MiB, during the flood ${(flooded.rss / MiB).toFixed(0)} MiB\n`,
      );
    },
    10 * HANG_MS,
  ); // bounded by count: a hang detector, not a speed limit
});
