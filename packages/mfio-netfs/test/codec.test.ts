import { SeededRandom, type MfioErrorCode } from '@mfio/core';
import { FrameType as T, MAX_PATH_BYTES, MIN_FRAME } from '../src/protocol/constants.js';
import { decodeRequest, decodeResponse } from '../src/protocol/decode.js';
import { encodeMessage } from '../src/protocol/encode.js';
import { codeOfWireError, wireCodeOf, wireErrorOf, WIRE_ERROR_COUNT } from '../src/protocol/error-codes.js';
import { FrameReader, type RawFrame } from '../src/protocol/frame-reader.js';
import type { Message, Request, Response } from '../src/protocol/messages.js';

const bounds = { maxRead: 1 << 20 };
const nonce = Buffer.alloc(32, 7);

/** One of every request and response type, with values near their limits. */
const requests: Request[] = [
  { type: T.HELLO, id: 0, version: 1, features: 3, nonce },
  { type: T.AUTH, id: 0, proof: Buffer.alloc(32, 1) },
  { type: T.OPEN_FILE, id: 1, flags: 0x3f, path: '/a/b é 𝄞' },
  { type: T.CLOSE_FILE, id: 2, handle: 0xffffffff },
  { type: T.READ, id: 3, handle: 1, position: Number.MAX_SAFE_INTEGER - (1 << 20), length: 1 << 20 },
  { type: T.WRITE, id: 4, handle: 1, position: 2 ** 40, data: Buffer.from('data') },
  { type: T.FILE_METADATA, id: 5, handle: 9 },
  { type: T.SET_LEN, id: 6, handle: 9, length: 2 ** 50 },
  { type: T.SYNC, id: 7, handle: 9 },
  { type: T.OPEN_DIR, id: 8, path: '/' },
  { type: T.READ_DIR, id: 9, handle: 3, max: 1024 },
  { type: T.CLOSE_DIR, id: 10, handle: 3 },
  { type: T.METADATA, id: 11, path: '/x' },
  { type: T.CREATE_DIR, id: 12, recursive: true, path: '/d/e' },
  { type: T.REMOVE_DIR, id: 13, path: '/d' },
  { type: T.REMOVE_DIR_ALL, id: 14, path: '/d' },
  { type: T.REMOVE_FILE, id: 15, path: '/f' },
  { type: T.RENAME, id: 16, from: '/f', to: '/g' },
  { type: T.COPY, id: 17, from: '/f', to: '/' + 'x'.repeat(MAX_PATH_BYTES - 1) },
  { type: T.HARD_LINK, id: 18, from: '/f', to: '/h' },
  { type: T.SET_PERMISSIONS, id: 19, mode: 0o7777, path: '/f' },
  { type: T.CANCEL, id: 3 },
];

const responses: Response[] = [
  { type: T.CHALLENGE, id: 0, version: 1, features: 1, nonce, maxFrame: MIN_FRAME, maxRead: 8, maxInFlight: 1, maxHandles: 2 },
  { type: T.WELCOME, id: 0, proof: Buffer.alloc(32, 2) },
  { type: T.OK, id: 1 },
  { type: T.HANDLE, id: 2, handle: 5 },
  { type: T.READ_DATA, id: 3, offset: 100, data: Buffer.from('xyz') },
  { type: T.READ_DONE, id: 3, transferred: 3 },
  { type: T.WRITTEN, id: 4, count: 4 },
  { type: T.METADATA_RESULT, id: 5, metadata: { len: 2 ** 53 - 1, mode: 0o644, type: 'file', modified: 1.5e12, accessed: null, created: -1000 } },
  {
    type: T.ENTRIES,
    id: 6,
    done: true,
    entries: [
      { name: 'a', type: 'dir' },
      { name: 'ü', type: 'symlink' },
    ],
  },
  { type: T.ERROR, id: 7, code: 'ENOENT' },
  { type: T.FATAL, id: 0, code: 'EPROTO', message: 'bad' },
  { type: T.READ_DATA_LAST, id: 3, offset: 0, data: Buffer.from('abc') },
];

function frameOf(buf: Buffer, max = 1 << 24): RawFrame {
  const reader = new FrameReader(max);
  reader.push(buf);
  const frame = reader.next();
  if (frame === null) throw new Error('no frame');
  return frame;
}

const plain = (m: Message): unknown =>
  JSON.parse(JSON.stringify(m, (_, v: { type?: unknown; data?: number[] } | null) => (v?.type === 'Buffer' ? Buffer.from(v.data ?? []).toString('hex') : v)));

describe('codec round trip', () => {
  test.each(requests.map((m) => [m.type.toString(16), m] as const))('request 0x%s', (_, m) => {
    expect(plain(decodeRequest(frameOf(encodeMessage(m)), bounds))).toEqual(plain(m));
  });
  test.each(responses.map((m) => [m.type.toString(16), m] as const))('response 0x%s', (_, m) => {
    expect(plain(decodeResponse(frameOf(encodeMessage(m))))).toEqual(plain(m));
  });
  test('every wire error code maps back to its code; codes without a number travel as EIO', () => {
    for (let wire = 1; wire <= WIRE_ERROR_COUNT; wire++) {
      expect(wireErrorOf(codeOfWireError(wire)!)).toBe(wire);
      expect(wireCodeOf(codeOfWireError(wire)!)).toBe(codeOfWireError(wire));
    }
    expect(wireErrorOf('ENXIO')).toBe(1);
    expect(wireErrorOf('ERR_MFIO_NO_BACKEND')).toBe(1);
    expect(wireCodeOf('ABORT_ERR')).toBe('EIO');
    // A name from a newer Node than MfioErrorCode lists.
    expect(wireErrorOf('ESOMETHING' as MfioErrorCode)).toBe(1);
    expect(codeOfWireError(0)).toBeUndefined();
    expect(codeOfWireError(WIRE_ERROR_COUNT + 1)).toBeUndefined();
  });
  test('the frame layout is little-endian with no padding', () => {
    const buf = encodeMessage({ type: T.READ, id: 0x01020304, handle: 0x0a0b0c0d, position: 0x1122334455, length: 0x10 });
    expect(buf.toString('hex')).toBe('15000000' + '12' + '04030201' + '0d0c0b0a' + '5544332211000000' + '10000000');
  });
});

/** Expect `decodeRequest` of a frame with this type and payload to fail with EPROTO. */
function rejectsRequest(type: number, payload: Buffer, id = 1): void {
  expect(() => decodeRequest({ type, id, payload }, bounds)).toThrow(expect.objectContaining({ code: 'EPROTO' }));
}

describe('codec validation', () => {
  const path = (s: string | Buffer): Buffer => {
    const b = typeof s === 'string' ? Buffer.from(s) : s;
    const out = Buffer.alloc(2 + b.length);
    out.writeUInt16LE(b.length, 0);
    b.copy(out, 2);
    return out;
  };
  const u32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return b;
  };
  const u64 = (v: bigint): Buffer => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    return b;
  };
  test('unknown types and responses sent as requests', () => {
    rejectsRequest(0x7f, Buffer.alloc(0));
    rejectsRequest(T.OK, Buffer.alloc(0));
    expect(() => decodeResponse({ type: T.READ, id: 1, payload: Buffer.alloc(16) })).toThrow(expect.objectContaining({ code: 'EPROTO' }));
  });
  test('paths: empty, too long, invalid UTF-8, overlong dot, NUL, length beyond the payload', () => {
    rejectsRequest(T.METADATA, path(''));
    rejectsRequest(T.METADATA, path('/' + 'a'.repeat(MAX_PATH_BYTES)));
    rejectsRequest(T.METADATA, path(Buffer.from([0x2f, 0xff])));
    rejectsRequest(T.METADATA, path(Buffer.from([0x2f, 0xc0, 0xae, 0xc0, 0xae]))); // overlong '..'
    rejectsRequest(T.METADATA, path(Buffer.from([0x2f, 0xed, 0xa0, 0x80]))); // an encoded surrogate
    rejectsRequest(T.METADATA, path('/a\0b'));
    rejectsRequest(T.METADATA, Buffer.from([10, 0, 0x2f]));
  });
  test('trailing bytes, reserved flag bits, handle 0, request id 0', () => {
    rejectsRequest(T.METADATA, Buffer.concat([path('/a'), Buffer.from([0])]));
    rejectsRequest(T.OPEN_FILE, Buffer.concat([Buffer.from([0x40]), path('/a')]));
    rejectsRequest(T.CLOSE_FILE, u32(0));
    rejectsRequest(T.CLOSE_FILE, u32(1), 0);
  });
  test('handshake frames with a request id other than 0', () => {
    rejectsRequest(T.HELLO, Buffer.concat([Buffer.from('MFNF'), Buffer.from([1, 0, 0, 0, 0, 0]), Buffer.alloc(32)]), 1);
    rejectsRequest(T.AUTH, Buffer.alloc(32), 0xffffffff);
  });
  test('read length against the cap, positions beyond 2^53 - 1, empty writes', () => {
    rejectsRequest(T.READ, Buffer.concat([u32(1), u64(0n), u32(0)]));
    rejectsRequest(T.READ, Buffer.concat([u32(1), u64(0n), u32(bounds.maxRead + 1)]));
    rejectsRequest(T.READ, Buffer.concat([u32(1), u64(2n ** 53n), u32(1)]));
    rejectsRequest(T.READ, Buffer.concat([u32(1), u64(2n ** 53n - 1n), u32(1)]));
    rejectsRequest(T.WRITE, Buffer.concat([u32(1), u64(0n)]));
    rejectsRequest(T.SET_LEN, Buffer.concat([u32(1), u64(2n ** 64n - 1n)]));
  });
  test('enum values: READ_DIR page, recursive flag, mode, HELLO magic', () => {
    rejectsRequest(T.READ_DIR, Buffer.from([1, 0, 0, 0, 0, 0]));
    rejectsRequest(T.READ_DIR, Buffer.from([1, 0, 0, 0, 0x01, 0x04]));
    rejectsRequest(T.CREATE_DIR, Buffer.concat([Buffer.from([2]), path('/a')]));
    rejectsRequest(T.SET_PERMISSIONS, Buffer.concat([Buffer.from([0, 0x10]), path('/a')]));
    rejectsRequest(T.HELLO, Buffer.concat([Buffer.from('HTTP'), Buffer.alloc(38)]), 0);
  });
  test('responses: unknown error code, file type, time bits, non-finite times, names with a slash', () => {
    const bad = (type: number, payload: Buffer): void =>
      expect(() => decodeResponse({ type, id: 1, payload })).toThrow(expect.objectContaining({ code: 'EPROTO' }));
    bad(T.ERROR, Buffer.from([0, 1]));
    bad(T.ERROR, Buffer.from([0, 0]));
    const meta = encodeMessage(responses[7]!).subarray(9);
    bad(T.METADATA_RESULT, Buffer.concat([meta.subarray(0, 12), Buffer.from([9]), meta.subarray(13)]));
    bad(T.METADATA_RESULT, Buffer.concat([meta.subarray(0, 13), Buffer.from([8]), meta.subarray(14)]));
    const nan = Buffer.from(meta);
    nan.writeDoubleLE(NaN, 14);
    bad(T.METADATA_RESULT, nan);
    bad(T.ENTRIES, Buffer.concat([Buffer.from([1, 1, 0, 1]), path('a/b')]));
    bad(T.ENTRIES, Buffer.concat([Buffer.from([1, 1, 0, 1]), path('..')]));
  });
  test('the frame reader rejects a length over the maximum before buffering it, and one under a header', () => {
    const reader = new FrameReader(MIN_FRAME);
    reader.push(Buffer.from([0xff, 0xff, 0xff, 0x7f]));
    expect(() => reader.next()).toThrow(expect.objectContaining({ code: 'EMSGSIZE' }));
    const short = new FrameReader(MIN_FRAME);
    short.push(Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]));
    expect(() => short.next()).toThrow(expect.objectContaining({ code: 'EPROTO' }));
  });
});

/** Every whole frame `reader` holds, encoded again (header and payload) into `got`. */
function takeFrames(reader: FrameReader, got: Buffer[]): void {
  for (let f = reader.next(); f !== null; f = reader.next()) {
    const head = Buffer.alloc(9);
    head.writeUInt32LE(5 + f.payload.length, 0);
    head.writeUInt8(f.type, 4);
    head.writeUInt32LE(f.id, 5);
    got.push(Buffer.concat([head, f.payload]));
  }
}

describe('codec fuzz (seeded)', () => {
  const all = [...requests, ...responses].map((m) => encodeMessage(m));

  /**
   * 2,000 streams of random frames, each cut into pieces of `cut(random)` bytes that `receive`
   * hands to the reader (then calls `take`): each decodes to the same frames, nothing left over.
   */
  function checkCutStreams(seed: number, cut: (random: SeededRandom) => number, receive: (reader: FrameReader, piece: Buffer, take: () => void) => void): void {
    const random = new SeededRandom(seed);
    for (let run = 0; run < 2000; run++) {
      const picked = Array.from({ length: random.range(1, 12) }, () => all[random.int(all.length)]!);
      const stream = Buffer.concat(picked);
      const reader = new FrameReader(1 << 24);
      const got: Buffer[] = [];
      for (let at = 0; at < stream.length;) {
        const piece = stream.subarray(at, Math.min(stream.length, at + cut(random)));
        at += piece.length;
        receive(reader, piece, () => takeFrames(reader, got));
      }
      expect(Buffer.concat(got).equals(stream)).toBe(true);
      expect(got.length).toBe(picked.length);
      expect(reader.buffered).toBe(0);
    }
  }

  test('a stream of valid frames split at random byte boundaries decodes to the same frames (2,000 runs)', () => {
    checkCutStreams(
      6,
      (random) => random.range(1, random.int(4) === 0 ? 64 : 5),
      (reader, piece, take) => {
        reader.push(piece);
        take();
      },
    );
  });

  test('chunks read into one reused staging buffer, detached after each, decode to the same frames (2,000 runs)', () => {
    const staging = Buffer.alloc(64);
    checkCutStreams(
      16,
      (random) => random.range(1, staging.length),
      (reader, piece, take) => {
        piece.copy(staging);
        reader.push(staging.subarray(0, piece.length));
        take(); // frames are used before the next read, as the client does
        reader.detach(); // what is left is copied out
        staging.fill(0xee); // the next read overwrites it
      },
    );
  });

  test('random and mutated bytes never throw anything but EPROTO/EMSGSIZE MfioErrors (20,000 inputs)', () => {
    const random = new SeededRandom(42);
    const codes = new Set<string>();
    for (let run = 0; run < 20_000; run++) {
      let input: Buffer;
      if (run % 2 === 0) {
        input = Buffer.from(random.bytes(random.range(0, 64)));
      } else {
        input = Buffer.from(all[random.int(all.length)]!);
        for (let k = random.range(1, 4); k > 0; k--) input[random.int(input.length)] = random.int(256);
        if (random.int(4) === 0) input = input.subarray(0, random.int(input.length));
      }
      const reader = new FrameReader(MIN_FRAME);
      reader.push(input);
      try {
        for (let f = reader.next(); f !== null; f = reader.next()) {
          if (f.type < 0x80) decodeRequest(f, bounds);
          else decodeResponse(f);
        }
      } catch (error) {
        const code = (error as { code?: string }).code ?? String(error);
        codes.add(code);
      }
    }
    expect([...codes].sort()).toEqual(['EMSGSIZE', 'EPROTO']);
  });
});
