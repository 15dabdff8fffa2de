/**
 * What a test file needs from the shared cluster (started by global-setup.ts): its endpoint
 * and keys, a fresh bucket per file, an independent client (the AWS SDK) to put fixtures and
 * check results without the code under test, and `describeS3`, which shows every case as
 * skipped with the reason when there is no cluster (never outside CI: there the setup fails).
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3Fs, type S3FsOptions } from '../../src/index.js';
import type { CephCluster } from './ceph-cluster.js';

export type TestCluster = Pick<CephCluster, 'endpoint' | 'region' | 'accessKeyId' | 'secretAccessKey'> & Partial<CephCluster>;

/** The cluster, or null when global setup could not start one (the reason is `unavailableReason`). */
export function testCluster(): TestCluster | null {
  const text = process.env.MFIO_S3_TEST_CLUSTER;
  return text === undefined ? null : (JSON.parse(text) as TestCluster);
}

export const unavailableReason = (): string => process.env.MFIO_S3_TEST_UNAVAILABLE ?? 'no S3 endpoint (global setup did not run)';

/** `describe`, or one skipped test naming why there is no cluster. */
export function describeS3(name: string, body: (cluster: TestCluster) => void): void {
  const cluster = testCluster();
  if (cluster === null) {
    describe(name, () => test.skip(`unavailable: ${unavailableReason()}`, () => undefined));
    return;
  }
  describe(name, () => body(cluster));
}

let buckets = 0;

/** A bucket name unique to this process and call (S3 names: lowercase, digits, dashes). */
export function bucketName(label: string): string {
  return `mfio-${label}-${process.pid}-${++buckets}-${Date.now().toString(36)}`.toLowerCase().slice(0, 63);
}

/** The AWS SDK's client on the cluster: the independent side of every check. */
export function sdkClient(cluster: TestCluster, endpoint = cluster.endpoint): S3Client {
  return new S3Client({
    endpoint,
    region: cluster.region,
    forcePathStyle: true,
    credentials: { accessKeyId: cluster.accessKeyId, secretAccessKey: cluster.secretAccessKey },
    // RGW 16.2 answers a streamed PUT with the SDK's default checksum trailer 411 MissingContentLength.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Create a bucket with the SDK. */
export async function createBucket(client: S3Client, bucket: string): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** Put an object with the SDK. */
export async function putObject(client: S3Client, bucket: string, key: string, body: Uint8Array): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length }));
}

/** S3Fs options for the cluster and `bucket`, with `extra` on top. */
export function fsOptions(cluster: TestCluster, bucket: string, extra: Partial<S3FsOptions> = {}): S3FsOptions {
  return {
    endpoint: cluster.endpoint,
    bucket,
    region: cluster.region,
    credentials: { accessKeyId: cluster.accessKeyId, secretAccessKey: cluster.secretAccessKey },
    ...extra,
  };
}

/** Connect an S3Fs to the cluster. */
export function connect(cluster: TestCluster, bucket: string, extra: Partial<S3FsOptions> = {}): Promise<S3Fs> {
  return S3Fs.connect(fsOptions(cluster, bucket, extra));
}
