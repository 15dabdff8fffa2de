import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as nodeFsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import type { S3Client } from '@aws-sdk/client-s3';
import { promisesOf, type FsPromises } from '@mfio/rt/promises';
import type { S3Fs } from '../src/index.js';
import { bucketName, connect, createBucket, describeS3, putObject, sdkClient } from './support/cluster-env.js';

// The node:fs/promises facade over a bucket of the real RGW: the read side random-access code
// uses, each call compared with node:fs/promises on a local file of the same bytes.
describeS3('@mfio/rt/promises over S3Fs', (cluster) => {
  let client: S3Client;
  let fs: S3Fs;
  let fsp: FsPromises;
  const local = mkdtempSync(join(tmpdir(), 'mfio-s3-fsp-'));
  const bucket = bucketName('promises');
  const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 13 + (i >> 9)) & 0xff));

  beforeAll(async () => {
    client = sdkClient(cluster);
    await createBucket(client, bucket);
    await putObject(client, bucket, 'dir/data.bin', data);
    await putObject(client, bucket, 'dir/note.txt', Buffer.from('hello s3'));
    mkdirSync(join(local, 'dir'));
    writeFileSync(join(local, 'dir', 'data.bin'), data);
    writeFileSync(join(local, 'dir', 'note.txt'), 'hello s3');
    fs = await connect(cluster, bucket);
    fsp = promisesOf(fs);
  });
  afterAll(async () => {
    await fs?.close();
    client?.destroy();
    rmSync(local, { recursive: true, force: true });
  });

  /** The same call on both; the same result or the same error code and syscall. */
  async function same(call: (f: FsPromises, p: (rel: string) => string) => Promise<unknown>): Promise<void> {
    const settle = (promise: Promise<unknown>): Promise<unknown> =>
      promise.then(
        (value) => ({ value }),
        (error: { code?: unknown; syscall?: unknown }) => ({ code: error.code, syscall: error.syscall }),
      );
    // Node's functions called the facade's way: the calls below are ones both take.
    const expected = await settle(call(nodeFsp as unknown as FsPromises, (rel) => join(local, rel)));
    const actual = await settle(call(fsp, (rel) => rel));
    expect(actual).toEqual(expected);
  }

  test('FileHandle.read at positions, past the end, and in its object form', async () => {
    await same(async (f, p) => {
      await using handle = await f.open(p('dir/data.bin'), 'r');
      const reads = [];
      for (const position of [0, 4096, 123_457, 299_990, 300_000, 500_000]) {
        const { bytesRead, buffer } = await handle.read(Buffer.alloc(4096), 0, 4096, position);
        reads.push([bytesRead, buffer.subarray(0, bytesRead).toString('base64')]);
      }
      const { bytesRead, buffer } = await handle.read({ buffer: Buffer.alloc(10), offset: 2, length: 8, position: 7 });
      reads.push([bytesRead, buffer.toString('base64')]);
      return reads;
    });
  });

  test('64 reads of 4 KiB at once', async () => {
    await same(async (f, p) => {
      await using handle = await f.open(p('dir/data.bin'), 'r');
      const results = await Promise.all(Array.from({ length: 64 }, (_, i) => handle.read(Buffer.alloc(4096), 0, 4096, (i * 4099) % 296_000)));
      return results.map((r) => r.buffer.toString('base64'));
    });
  });

  test('readFile, stat, createReadStream({ start, end })', async () => {
    await same(async (f, p) => (await f.readFile(p('dir/data.bin'))).toString('base64'));
    await same((f, p) => f.readFile(p('dir/note.txt'), 'utf8'));
    await same(async (f, p) => {
      const s = await f.stat(p('dir/data.bin'));
      return [s.size, s.isFile(), s.isDirectory()];
    });
    await same(async (f, p) => {
      const handle = await f.open(p('dir/data.bin'), 'r');
      return (await text(handle.createReadStream({ start: 1000, end: 1999, encoding: 'hex' }))).length;
    });
  });

  test('readdir and the errors of a missing key', async () => {
    await same(async (f, p) => ((await f.readdir(p('dir'))) as string[]).sort());
    await same((f, p) => f.readFile(p('dir/missing.bin')));
    await same((f, p) => f.open(p('dir/missing.bin'), 'r'));
    await same((f, p) => f.stat(p('dir/missing.bin')));
  });
});
