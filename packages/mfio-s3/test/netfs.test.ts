import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { readMany, SeededRandom } from '@mfio/core';
import { NetFs } from '@mfio/netfs';
import { bucketName, createBucket, describeS3, putObject, sdkClient } from './support/cluster-env.js';

/** The built netfs server (`pnpm build` makes it; turbo builds it before these tests). */
const SERVER = join(__dirname, '..', '..', 'mfio-netfs', 'bin', 'mfio-netfs-server.js');

/**
 * `mfio-netfs-server --s3-bucket`: a netfs server in front of the bucket, its endpoint and keys
 * from the environment, and a netfs client reading and writing objects through it.
 */
describeS3('netfs server on an S3 bucket', (cluster) => {
  let client: S3Client;
  let server: ChildProcess;
  let port: number;
  const bucket = bucketName('netfs');
  const data = Buffer.from(new SeededRandom(5).bytes(3 << 20));

  beforeAll(async () => {
    client = sdkClient(cluster);
    await createBucket(client, bucket);
    await putObject(client, bucket, 'dir/data.bin', data);
    await putObject(client, bucket, 'top.txt', Buffer.from('top'));
    server = spawn(process.execPath, [SERVER, '--s3-bucket', bucket, '--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        AWS_ENDPOINT_URL_S3: cluster.endpoint,
        AWS_REGION: cluster.region,
        AWS_ACCESS_KEY_ID: cluster.accessKeyId,
        AWS_SECRET_ACCESS_KEY: cluster.secretAccessKey,
      },
    });
    port = await new Promise<number>((resolve, reject) => {
      const log: string[] = [];
      createInterface({ input: server.stderr! }).on('line', (line) => {
        log.push(line);
        const match = /listening on 127\.0\.0\.1:(\d+)/.exec(line);
        if (match) resolve(Number(match[1]));
      });
      server.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${log.join('\n')}`)));
    });
  });
  afterAll(async () => {
    if (server?.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    client?.destroy();
  });

  test('a netfs client lists, reads and writes the bucket through the server', async () => {
    const fs = await NetFs.connect({ port });
    try {
      const names = [];
      for await (const entry of fs.currentDir().readDir()) names.push(`${entry.name}:${entry.type}`);
      expect(names.sort()).toEqual(['dir:dir', 'top.txt:file']);
      const file = await fs.open('dir/data.bin');
      expect((await file.metadata()).len).toBe(data.length);
      expect(Buffer.from(await file.readAt(100_000, 2 << 20)).equals(data.subarray(100_000, 100_000 + (2 << 20)))).toBe(true);
      const many = await readMany(file, [
        [0, 16],
        [3 << 19, 4096],
      ]);
      expect(Buffer.from(many.at(1))).toEqual(data.subarray(3 << 19, (3 << 19) + 4096));
      await file.close();
      const out = await fs.open('written.bin', { write: true, create: true });
      await out.writeAllAt(0, data.subarray(0, 70_000));
      await out.close();
      const stored = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'written.bin' }));
      expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(data.subarray(0, 70_000))).toBe(true);
    } finally {
      await fs.close();
    }
  });
});
