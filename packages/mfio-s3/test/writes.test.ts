import {
  DeleteBucketPolicyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutBucketPolicyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
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
  const uploadsInProgress = async (key?: string): Promise<number> =>
    (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, ...(key === undefined ? {} : { Prefix: key }) }))).Uploads?.length ?? 0;
  /** The HTTP status of a HEAD of `key` by the SDK: 200, or the error's (404: no object). */
  const headStatus = async (key: string): Promise<number> =>
    client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
      (response) => response.$metadata.httpStatusCode ?? 0,
      (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode ?? 0,
    );
  /** The object is not there: HEAD answers 404 (ENOENT through the Fs), and no upload of it is left. */
  const expectNothingStored = async (key: string): Promise<void> => {
    await expect(fs.currentDir().metadata(key)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await headStatus(key)).toBe(404);
    expect(await uploadsInProgress(key)).toBe(0);
  };

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
    expect(await uploadsInProgress('multi.bin')).toBe(0);
  });

  test('a write anywhere but the end fails with EINVAL; close aborts the upload, stores nothing and rejects', async () => {
    const file = await fs.open('broken.bin', { write: true, create: true });
    await file.writeAllAt(0, Buffer.alloc(6 * MIB, 1)); // one part up: the upload exists
    await file.sync();
    expect(await uploadsInProgress('broken.bin')).toBe(1);
    await expect(file.writeAllAt(10, Buffer.alloc(10))).rejects.toMatchObject({ code: 'EINVAL', position: 10 });
    // The handle is in error: a write at the end, and sync, fail with that first error.
    await expect(file.writeAllAt(6 * MIB, Buffer.alloc(10))).rejects.toMatchObject({ code: 'EINVAL', position: 10 });
    await expect(file.sync()).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(file.close()).rejects.toMatchObject({
      code: 'EINVAL',
      syscall: 'close',
      message: expect.stringContaining('the multipart upload was aborted and nothing was stored'),
    });
    await expectNothingStored('broken.bin');
  });

  test('a bad write before the first part is full: close stores nothing (no PUT) and rejects', async () => {
    const file = await fs.open('broken-small.bin', { write: true, create: true });
    await file.writeAllAt(0, Buffer.from('head'));
    await expect(file.writeAllAt(100, Buffer.from('tail'))).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(file.close()).rejects.toMatchObject({ code: 'EINVAL', syscall: 'close', message: expect.stringContaining('nothing was stored') });
    await expectNothingStored('broken-small.bin');
  });

  test('a part the server rejects abandons the object: close aborts the upload and rejects with EACCES', async () => {
    const file = await fs.open('denied.bin', { write: true, create: true });
    await file.writeAllAt(0, Buffer.alloc(6 * MIB, 3)); // part 1 stored: the upload exists
    await file.sync();
    expect(await uploadsInProgress('denied.bin')).toBe(1);
    // From now on RGW refuses uploads to this key (UploadPart is s3:PutObject), not AbortMultipartUpload.
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${bucket}/denied.bin` }],
    };
    await client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
    try {
      // The write fills part 2 and completes at once (a part of room); the part's 403 comes after.
      await file.writeAllAt(6 * MIB, Buffer.alloc(5 * MIB, 4));
      const denied = { code: 'EACCES', message: expect.stringContaining('S3 AccessDenied, HTTP 403') };
      await expect(file.sync()).rejects.toMatchObject(denied);
      await expect(file.writeAllAt(11 * MIB, Buffer.alloc(10))).rejects.toMatchObject(denied);
      await expect(file.close()).rejects.toMatchObject({
        code: 'EACCES',
        syscall: 'close',
        message: expect.stringMatching(/the multipart upload was aborted and nothing was stored.*AccessDenied/),
      });
    } finally {
      await client.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    }
    await expectNothingStored('denied.bin');
  });

  test('an aborted write abandons the object: close rejects and aborts the multipart upload', async () => {
    const file = await fs.open('aborted.bin', { write: true, create: true });
    const controller = new AbortController();
    // 3 parts fill up at once: the third waits for room, and is aborted there.
    const write = file.writeAllAt(0, Buffer.alloc(16 * MIB, 2), { signal: controller.signal });
    controller.abort();
    await expect(write).rejects.toMatchObject({ code: 'ABORT_ERR' });
    await expect(file.close()).rejects.toMatchObject({ code: 'ECANCELED', message: expect.stringContaining('nothing was stored') });
    await expectNothingStored('aborted.bin');
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
