import { GetObjectCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { SeededRandom } from '@mfio/core';
import type { S3Fs } from '../src/index.js';
import { bucketName, connect, createBucket, describeS3, putObject, sdkClient } from './support/cluster-env.js';

const MIB = 1 << 20;

/** Writes make new objects front to back; checked with the SDK, not through the code under test. */
describeS3('writes', (cluster) => {
  let client: S3Client;
  let fs: S3Fs;
  const bucket = bucketName('writes');

  beforeAll(async () => {
    client = sdkClient(cluster);
    await createBucket(client, bucket);
    fs = await connect(cluster, bucket, { partSize: 5 * MIB, partsInFlight: 2 });
  });
  afterAll(async () => {
    await fs?.close();
    client?.destroy();
  });

  const fetch = async (key: string): Promise<Buffer> => {
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await response.Body!.transformToByteArray());
  };
  const uploadsInProgress = async (): Promise<number> => (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads?.length ?? 0;

  test('beyond partSize the object goes up as a multipart upload, completed at close', async () => {
    const data = Buffer.from(new SeededRandom(3).bytes(12 * MIB + 12345));
    const file = await fs.open('multi.bin', { write: true, create: true });
    // Uneven writes, crossing part boundaries, with back-pressure (2 parts in flight).
    for (let at = 0; at < data.length;) {
      const n = Math.min(data.length - at, 700_001);
      await file.writeAllAt(at, data.subarray(at, at + n));
      at += n;
    }
    await expect(fs.currentDir().metadata('multi.bin')).rejects.toMatchObject({ code: 'ENOENT' }); // nothing before close
    await file.close();
    expect((await fetch('multi.bin')).equals(data)).toBe(true);
    expect(await uploadsInProgress()).toBe(0);
  });

  test('a write anywhere but the end fails with EINVAL, and close aborts the upload', async () => {
    const file = await fs.open('broken.bin', { write: true, create: true });
    await file.writeAllAt(0, Buffer.alloc(6 * MIB, 1)); // one part up: the upload exists
    await file.sync();
    await expect(file.writeAllAt(10, Buffer.alloc(10))).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await uploadsInProgress()).toBe(1);
    await file.close(); // the EINVAL was the caller's: the object is still written
    expect((await fetch('broken.bin')).length).toBe(6 * MIB);
  });

  test('an aborted write abandons the object: close rejects and aborts the multipart upload', async () => {
    const file = await fs.open('aborted.bin', { write: true, create: true });
    const controller = new AbortController();
    // 3 parts fill up at once: the third waits for room, and is aborted there.
    const write = file.writeAllAt(0, Buffer.alloc(16 * MIB, 2), { signal: controller.signal });
    controller.abort();
    await expect(write).rejects.toMatchObject({ code: 'ABORT_ERR' });
    await expect(file.close()).rejects.toMatchObject({ code: 'ECANCELED' });
    await expect(fs.currentDir().metadata('aborted.bin')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await uploadsInProgress()).toBe(0);
  });

  test('createNew fails with EEXIST on an existing object; truncate replaces it', async () => {
    await putObject(client, bucket, 'exists.bin', Buffer.from('old'));
    await expect(fs.open('exists.bin', { write: true, createNew: true })).rejects.toMatchObject({ code: 'EEXIST' });
    const file = await fs.open('exists.bin', { write: true, truncate: true });
    await file.writeAllAt(0, Buffer.from('new!'));
    await file.close();
    expect((await fetch('exists.bin')).toString()).toBe('new!');
  });

  test('rename is copy then delete; copy copies; removeFile deletes', async () => {
    await putObject(client, bucket, 'a/x.bin', Buffer.from('x'));
    await fs.currentDir().rename('a/x.bin', 'a/y.bin');
    expect((await fetch('a/y.bin')).toString()).toBe('x');
    await expect(fs.currentDir().metadata('a/x.bin')).rejects.toMatchObject({ code: 'ENOENT' });
    await fs.currentDir().copy('a/y.bin', 'a/z.bin');
    expect((await fetch('a/z.bin')).toString()).toBe('x');
    await fs.currentDir().removeFile('a/y.bin');
    await expect(fs.currentDir().removeFile('a/y.bin')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
