import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Agent } from 'node:http';
import { readMany } from '@mfio/core';
import { S3Fs, type S3FsOptions } from '@mfio/s3';
import { Pool } from 'undici';

/** The object every contender reads, and how to reach it. */
export interface S3Target {
  /** Where requests go: radosgw, or the delay proxy in front of it. */
  endpoint: string;
  bucket: string;
  key: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** One read: `[position, length]`. */
export type Read = readonly [number, number];

/** An open contender: runs a list of reads with its concurrency, reports a digest of what it read. */
export interface S3Session {
  /** Read every request; resolve with the sum over reads of (first byte + 3 × last byte), to check. */
  run(reads: readonly Read[]): Promise<number>;
  close(): Promise<void>;
}

export interface S3Contender {
  name: string;
  open(target: S3Target, inFlight: number): Promise<S3Session>;
}

/** The check of one read: cheap, and it catches a wrong range, a short read or misplaced bytes. */
export function digestOf(bytes: Uint8Array, length = bytes.length): number {
  return length === 0 ? 0 : bytes[0]! + 3 * bytes[length - 1]!;
}

/** Run `reads` with `inFlight` workers, each read by `one`; the digests added up. */
async function windowed(reads: readonly Read[], inFlight: number, one: (read: Read, slot: number) => Promise<number>): Promise<number> {
  let next = 0;
  let digest = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, reads.length) }, async (_, slot) => {
      while (next < reads.length) {
        const d = await one(reads[next++]!, slot); // not `digest += await ...`: that reads digest before the await
        digest += d;
      }
    }),
  );
  return digest;
}

/** Destination buffers per worker slot, reused (as the other benches' tuned contenders do). */
function slots(inFlight: number, size: number): Buffer[] {
  return Array.from({ length: inFlight }, () => Buffer.allocUnsafe(size));
}

const MAX_READ = 1 << 20;

function s3Options(target: S3Target, inFlight: number, extra: Partial<S3FsOptions> = {}): S3FsOptions {
  return {
    endpoint: target.endpoint,
    bucket: target.bucket,
    region: target.region,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    connections: inFlight,
    ...extra,
  };
}

/** `@mfio/s3` readAt: one promise per read, `inFlight` at a time, into reused buffers. */
const s3ReadAt: S3Contender = {
  name: 's3:readAt',
  async open(target, inFlight) {
    const fs = await S3Fs.connect(s3Options(target, inFlight));
    const file = await fs.open(target.key);
    const buffers = slots(inFlight, MAX_READ);
    return {
      run: (reads) =>
        windowed(reads, inFlight, async ([position, length], slot) => {
          const into = buffers[slot]!.subarray(0, length);
          const n = await file.readAt(position, into);
          return digestOf(into, n);
        }),
      close: () => fs.close(),
    };
  },
};

/** Batches outstanding at once for `s3:readMany`: a new one goes out as soon as one returns. */
const BATCHES = 8;

/**
 * `@mfio/s3` readMany: the reads in batches of `inFlight / 4`, eight batches outstanding, each
 * coalesced by the backend with its default limits; `:whole` hands the whole list over as one
 * batch. A batch settles with its slowest read, so with only `inFlight` reads outstanding the
 * pipe drains while each batch waits for its tail (over 20 ms each way that cost 15%). Twice
 * `inFlight` outstanding keeps it full, while the pool's `inFlight` connections still cap what
 * is on the wire at `inFlight`, as for the other contenders: the rest wait in the pool's queue.
 */
function s3ReadMany(whole: boolean): S3Contender {
  return {
    name: whole ? 's3:readMany:whole' : 's3:readMany',
    async open(target, inFlight) {
      const fs = await S3Fs.connect(s3Options(target, inFlight));
      const file = await fs.open(target.key);
      return {
        async run(reads) {
          const step = whole ? reads.length : Math.max(1, Math.floor(inFlight / 4));
          const batches: Read[][] = [];
          for (let i = 0; i < reads.length; i += step) batches.push(reads.slice(i, i + step));
          let next = 0;
          let digest = 0;
          await Promise.all(
            Array.from({ length: whole ? 1 : BATCHES }, async () => {
              while (next < batches.length) {
                const batch = batches[next++]!;
                const result = await readMany(file, batch, { maxMergedSize: 0 });
                for (let j = 0; j < batch.length; j++) digest += digestOf(result.at(j));
              }
            }),
          );
          return digest;
        },
        close: () => fs.close(),
      };
    },
  };
}

/** The AWS SDK v3: GetObject with a Range, `inFlight` at a time, on as many sockets. */
const sdkGetObject: S3Contender = {
  name: 'sdk:GetObject',
  async open(target, inFlight) {
    const client = new S3Client({
      endpoint: target.endpoint,
      region: target.region,
      forcePathStyle: true,
      credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
      requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: inFlight }) },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    return {
      run: (reads) =>
        windowed(reads, inFlight, async ([position, length]) => {
          const response = await client.send(
            new GetObjectCommand({ Bucket: target.bucket, Key: target.key, Range: `bytes=${position}-${position + length - 1}` }),
          );
          return digestOf(await response.Body!.transformToByteArray());
        }),
      close: async () => client.destroy(),
    };
  },
};

/**
 * Plain undici range GETs, unsigned (the object is public-read): the same pool and keep-alive
 * as `@mfio/s3`, none of its work (no signing, no ETag pinning, no retries), bytes copied into
 * reused buffers. The client-side floor for an HTTP range read.
 */
const undiciRange: S3Contender = {
  name: 'undici:range',
  async open(target, inFlight) {
    const pool = new Pool(new URL(target.endpoint).origin, { connections: inFlight, pipelining: 1 });
    const path = `/${target.bucket}/${target.key}`;
    const buffers = slots(inFlight, MAX_READ);
    return {
      run: (reads) =>
        windowed(reads, inFlight, async ([position, length], slot) => {
          const response = await pool.request({ path, method: 'GET', headers: { range: `bytes=${position}-${position + length - 1}` } });
          if (response.statusCode !== 206) throw new Error(`HTTP ${response.statusCode}`);
          const into = buffers[slot]!;
          let n = 0;
          for await (const chunk of response.body) n += (chunk as Buffer).copy(into, n);
          return digestOf(into, n);
        }),
      close: () => pool.close(),
    };
  },
};

/** Every S3 contender, in report order. */
export function s3Contenders(): S3Contender[] {
  return [s3ReadAt, s3ReadMany(false), s3ReadMany(true), sdkGetObject, undiciRange];
}
