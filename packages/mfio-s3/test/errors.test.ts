import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DeleteBucketPolicyCommand, PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { S3Fs } from '../src/index.js';
import { bucketName, connect, createBucket, describeS3, fsOptions, putObject, sdkClient } from './support/cluster-env.js';

/** Node-style codes for what S3 answers, and for the lifecycle of read handles. */
describeS3('errors and lifecycle', (cluster) => {
  let client: S3Client;
  const bucket = bucketName('errors');

  beforeAll(async () => {
    client = sdkClient(cluster);
    await createBucket(client, bucket);
    await putObject(client, bucket, 'f.bin', Buffer.alloc(1 << 20, 7));
  });
  afterAll(() => client?.destroy());

  // A HEAD (connect, open, metadata) has no body, so no S3 code: the message names the one the status stands for.
  const headSays = (s3Code: string, status: number): string => `S3 ${s3Code}, HTTP ${status}: HEAD has no body`;

  test('a wrong secret is EACCES, AccessDenied and the HTTP status in the message', async () => {
    const options = fsOptions(cluster, bucket, { credentials: { accessKeyId: cluster.accessKeyId, secretAccessKey: 'wrong' } });
    await expect(S3Fs.connect(options)).rejects.toMatchObject({
      code: 'EACCES',
      syscall: 'connect',
      message: expect.stringContaining(headSays('AccessDenied', 403)),
    });
  });

  test('a missing bucket is ENOENT (NoSuchBucket); a missing object is ENOENT (NoSuchKey)', async () => {
    await expect(connect(cluster, 'no-such-bucket-mfio')).rejects.toMatchObject({
      code: 'ENOENT',
      message: expect.stringContaining(headSays('NoSuchBucket', 404)),
    });
    const fs = await connect(cluster, bucket);
    const noSuchKey = { code: 'ENOENT', message: expect.stringContaining(headSays('NoSuchKey', 404)) };
    await expect(fs.open('missing.bin')).rejects.toMatchObject({ ...noSuchKey, syscall: 'open' });
    await expect(fs.currentDir().metadata('missing.bin')).rejects.toMatchObject({ ...noSuchKey, syscall: 'stat' });
    await fs.close();
  });

  test('an object the bucket policy denies is EACCES at open and metadata, AccessDenied in the message', async () => {
    await putObject(client, bucket, 'denied.bin', Buffer.from('secret'));
    // HEAD needs s3:GetObject: RGW answers 403 to it, as to any request the policy refuses.
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/denied.bin` }],
    };
    await client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
    const fs = await connect(cluster, bucket);
    try {
      const denied = { code: 'EACCES', message: expect.stringContaining(headSays('AccessDenied', 403)) };
      await expect(fs.open('denied.bin')).rejects.toMatchObject({ ...denied, syscall: 'open' });
      await expect(fs.currentDir().metadata('denied.bin')).rejects.toMatchObject({ ...denied, syscall: 'stat' });
    } finally {
      await client.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
      await fs.close();
    }
  });

  test('options are checked before any request', async () => {
    await expect(S3Fs.connect({ ...fsOptions(cluster, bucket), connections: 0 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
      message: expect.stringContaining('connections'),
    });
  });

  test('close waits for reads in flight; afterwards every read fails with EBADF', async () => {
    const fs = await connect(cluster, bucket);
    const file = await fs.open('f.bin');
    const reads = Array.from({ length: 16 }, (_, i) => file.readAt(i * 65536, 65536));
    await file.close();
    for (const read of await Promise.allSettled(reads)) expect(read.status).toBe('fulfilled');
    await expect(file.readAt(0, 10)).rejects.toMatchObject({ code: 'EBADF' });
    await fs.close();
  });

  test('closing the Fs with reads in flight settles every one of them', async () => {
    const fs = await connect(cluster, bucket);
    const file = await fs.open('f.bin');
    const reads = Array.from({ length: 16 }, (_, i) => file.readAt(i * 65536, 65536));
    await fs.close();
    const outcomes = await Promise.allSettled(reads);
    expect(outcomes).toHaveLength(16);
    await expect(fs.open('f.bin')).rejects.toMatchObject({ code: 'EBADF' });
  });

  test('an S3Fs left open with idle connections does not keep the process alive', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'idle-exit.ts')], {
      cwd: join(__dirname, '..'),
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, MFIO_S3_FIXTURE_OPTIONS: JSON.stringify(fsOptions(cluster, bucket)), MFIO_S3_FIXTURE_KEY: 'f.bin' },
    });
    expect({ status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr.includes('Error') ? result.stderr : '' }).toEqual({
      status: 0,
      signal: null,
      stdout: 'read 100\n',
      stderr: '',
    });
  });
});
