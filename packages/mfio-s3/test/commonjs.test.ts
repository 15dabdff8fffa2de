import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import { bucketName, createBucket, describeS3, putObject, sdkClient } from './support/cluster-env.js';

const run = promisify(execFile);

// `require('@mfio/s3')` from a .cjs file run by node, on the built package (dist/cjs), against
// the shared Ceph cluster.
describeS3('a CommonJS consumer', (cluster) => {
  let client: S3Client;
  const bucket = bucketName('commonjs');
  beforeAll(async () => {
    client = sdkClient(cluster);
    await createBucket(client, bucket);
    await putObject(client, bucket, 'greeting.txt', Buffer.from('hello from RGW'));
  });
  afterAll(() => client?.destroy());

  test('requires @mfio/s3 and reads an object', async () => {
    const { endpoint, region, accessKeyId, secretAccessKey } = cluster;
    const env = { ...process.env, MFIO_S3_CJS: JSON.stringify({ endpoint, region, accessKeyId, secretAccessKey, bucket, key: 'greeting.txt' }) };
    const { stdout } = await run(process.execPath, [join(__dirname, 'commonjs', 'consumer.cjs')], { timeout: 60_000, env });
    expect(JSON.parse(stdout)).toEqual({
      resolved: join(__dirname, '..', 'dist', 'cjs', 'index.js'),
      head: 'hello',
      many: ['from', 'hello'],
      len: 14,
      missingCode: 'ENOENT',
      missingIsMfioError: true,
    });
  });
});
