import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeRt, type FileHandle } from '@mfio/rt';
import { NetFs, NetFsServer } from '@mfio/netfs';
// @mfio/s3's cluster support, as its own tests use it: the Ceph cluster its jest globalSetup
// started (this package's jest.config.cjs runs the same setup and teardown), a bucket per file,
// and the AWS SDK to put the fixtures with, so the S3 target does not depend on S3Fs's writes.
import { bucketName, connect, createBucket, describeS3, putObject, sdkClient, testCluster } from '../../../mfio-s3/test/support/cluster-env.js';

/** The places an adapter reads from: the same bytes through three different PacketIo. */
export const TARGET_KINDS = ['local file', 'netfs file', 'S3 object'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** Where an adapter reads a file from. */
export interface Target {
  readonly name: string;
  /** Open `name` (put with {@link Targets.put}) read-only. */
  open(name: string): Promise<FileHandle>;
}

/** A temporary directory, read as local files of an @mfio/rt runtime and through netfs, and a bucket. */
export interface Targets {
  /** The local directory behind the local and netfs targets (write here with node:fs to change a file under a reader). */
  readonly dir: string;
  readonly rt: NativeRt;
  /** The target of each kind; the S3 one only when there is a cluster (see {@link describeEachTarget}). */
  get(kind: TargetKind): Target;
  /** Store `data` as `name` everywhere: a file in {@link dir}, an object in the bucket. */
  put(name: string, data: Uint8Array): Promise<void>;
  /** Stop the clients, the server and the runtime, remove the directory. */
  close(): Promise<void>;
}

/**
 * A temp dir, an @mfio/rt runtime (the builder's first backend), a real netfs server on
 * 127.0.0.1 (port 0) serving that dir through the runtime with a client connected to it, and,
 * when the jest run has a cluster, a fresh bucket on its radosgw with an S3Fs connected to it.
 */
export async function startTargets(): Promise<Targets> {
  const dir = await mkdtemp(join(tmpdir(), 'mfio-adapters-'));
  const rt = NativeRt.builder().enableAll().build();
  const server = await NetFsServer.start({ fs: rt, root: dir, host: '127.0.0.1', port: 0 });
  const client = await NetFs.connect({ host: '127.0.0.1', port: server.address().port });
  const cluster = testCluster();
  let s3: { sdk: ReturnType<typeof sdkClient>; bucket: string; fs: Awaited<ReturnType<typeof connect>> } | undefined;
  if (cluster !== null) {
    const sdk = sdkClient(cluster);
    const bucket = bucketName('adapters');
    await createBucket(sdk, bucket);
    s3 = { sdk, bucket, fs: await connect(cluster, bucket) };
  }
  const targets: Record<TargetKind, Target | undefined> = {
    'local file': { name: `local file (${rt.backend.name})`, open: (name) => rt.open(join(dir, name)) },
    'netfs file': { name: 'netfs file on 127.0.0.1', open: (name) => client.open(name) },
    'S3 object': s3 && { name: `S3 object in ${s3.bucket} on ${cluster!.endpoint}`, open: (name) => s3.fs.open(name) },
  };
  return {
    dir,
    rt,
    get(kind) {
      const target = targets[kind];
      if (target === undefined) throw new Error(`no ${kind} target: ${kind} tests must be in describeEachTarget`);
      return target;
    },
    async put(name, data) {
      await writeFile(join(dir, name), data);
      if (s3 !== undefined) await putObject(s3.sdk, s3.bucket, name, data);
    },
    async close() {
      await s3?.fs.close();
      s3?.sdk.destroy();
      await client.close();
      await server.close(1000);
      await rt.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `describe('on a <kind>')` once per target kind, `body` defining the same tests for each. With
 * no cluster (outside CI: in CI its global setup fails the run), the S3 one is a single skipped
 * test that names the reason, as @mfio/s3's own tests show.
 */
export function describeEachTarget(body: (kind: TargetKind) => void): void {
  for (const kind of TARGET_KINDS) {
    const name = `on ${kind === 'S3 object' ? 'an' : 'a'} ${kind}`;
    if (kind === 'S3 object') describeS3(name, () => body(kind));
    else describe(name, () => body(kind));
  }
}

/** Run `body` on `name` opened through `target`, closing the file after. */
export async function withFile<T>(target: Target, name: string, body: (file: FileHandle) => Promise<T>): Promise<T> {
  const file = await target.open(name);
  try {
    return await body(file);
  } finally {
    await file.close();
  }
}
