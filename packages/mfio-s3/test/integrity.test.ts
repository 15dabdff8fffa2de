import { readMany, SeededRandom } from '@mfio/core';
import type { S3Client } from '@aws-sdk/client-s3';
import type { FileHandle } from '@mfio/rt';
import type { S3Fs } from '../src/index.js';
import { bucketName, connect, createBucket, describeS3, putObject, sdkClient } from './support/cluster-env.js';

/**
 * 10,000 seeded random reads, 1 B to 1 MiB (log-uniform, so every size class is well covered),
 * some past the end, half as readAt (64 in flight) and half in readMany batches of 1-64
 * (coalesced into fewer GETs), every byte checked against the object as put with the SDK. The
 * small maxRangeSize and fragmentSize make large reads go out as several GETs reporting
 * fragments early, so those paths are checked too. MFIO_TEST_SEED picks another sequence.
 */
const SEED = Number(process.env.MFIO_TEST_SEED ?? 17);
const READS = 10_000;
const OBJECT_SIZE = 24 << 20;
const IN_FLIGHT = 64;

describeS3('integrity', (cluster) => {
  let client: S3Client;
  let fs: S3Fs;
  const bucket = bucketName('integrity');
  const data = Buffer.from(new SeededRandom(SEED).bytes(OBJECT_SIZE));

  beforeAll(async () => {
    client = sdkClient(cluster);
    await createBucket(client, bucket);
    await putObject(client, bucket, 'blob.bin', data);
    fs = await connect(cluster, bucket, { maxRangeSize: 256 << 10, fragmentSize: 64 << 10 });
  });
  afterAll(async () => {
    await fs?.close();
    client?.destroy();
  });

  /** A read: log-uniform length in [1, 1 MiB], anywhere in the object or a little past its end. */
  function nextRead(random: SeededRandom): [number, number] {
    const length = Math.max(1, Math.round(2 ** (random.next() * 20)));
    const position = random.int(OBJECT_SIZE + 4096);
    return [position, length];
  }

  function expected(position: number, length: number): Buffer {
    return data.subarray(Math.min(position, OBJECT_SIZE), Math.min(position + length, OBJECT_SIZE));
  }

  test(`${READS} seeded random readAt and readMany reads, 1 B to 1 MiB, byte for byte (seed ${SEED})`, async () => {
    const random = new SeededRandom(SEED + 1);
    const file: FileHandle = await fs.open('blob.bin');
    let done = 0;
    let mismatches = 0;
    const check = (position: number, length: number, got: Uint8Array): void => {
      if (!Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(expected(position, length))) mismatches++;
      done++;
    };
    // Half as readAt, IN_FLIGHT at a time.
    const singles = Array.from({ length: READS / 2 }, () => nextRead(random));
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < singles.length) {
          const [position, length] = singles[next++]!;
          check(position, length, await file.readAt(position, length));
        }
      }),
    );
    // Half in readMany batches of 1-64 requests, 8 batches at a time.
    const batches: Array<Array<[number, number]>> = [];
    for (let left = READS / 2; left > 0;) {
      const size = Math.min(left, random.range(1, 64));
      batches.push(Array.from({ length: size }, () => nextRead(random)));
      left -= size;
    }
    let nextBatch = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (nextBatch < batches.length) {
          const batch = batches[nextBatch++]!;
          const result = await readMany(file, batch, { maxMergedSize: 0 });
          batch.forEach(([position, length], i) => check(position, length, result.at(i)));
        }
      }),
    );
    await file.close();
    expect({ done, mismatches }).toEqual({ done: READS, mismatches: 0 });
  });
});
