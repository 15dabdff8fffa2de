import { readMany, SeededRandom, type MfioError } from '@mfio/core';
import type { S3Client } from '@aws-sdk/client-s3';
import { HANG_MS, until, within } from '@mfio/rt-conformance';
import { evictRadosgw, startExtraRadosgw, type CephCluster } from './support/ceph-cluster.js';
import { bucketName, connect, createBucket, describeS3, putObject, sdkClient } from './support/cluster-env.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';

/**
 * The failures a remote store has: its server killed mid-read, an object replaced under an
 * open handle, throttling, a connection cut mid-body, a read given up mid-way. Each is made
 * for real (a second radosgw killed with SIGKILL, a proxy that answers 503 or cuts or trickles)
 * and each case is bounded: every promise must settle well within HANG_MS.
 */
describeS3('faults', (cluster) => {
  let client: S3Client;
  const bucket = bucketName('faults');
  const data = Buffer.from(new SeededRandom(99).bytes(16 << 20));

  beforeAll(async () => {
    client = sdkClient(cluster);
    await createBucket(client, bucket);
    await putObject(client, bucket, 'big.bin', data);
  });
  afterAll(() => client?.destroy());

  const withProxy = async (
    plan: (method: string, index: number) => ReturnType<Parameters<typeof startFaultProxy>[1]['plan']>,
    body: (proxy: FaultProxy) => Promise<void>,
    extra = {},
  ): Promise<void> => {
    const proxy = await startFaultProxy(cluster.endpoint, { plan, ...extra });
    try {
      await body(proxy);
    } finally {
      await proxy.close();
    }
  };

  /** A case that needs the daemons of our own cluster: against an external endpoint, a skip that says why. */
  const testOnOwnCluster = (name: string, body: () => Promise<void>): void => {
    if (cluster.dir !== undefined) test(name, body);
    else test.skip(`${name} (skipped: MFIO_S3_TEST_ENDPOINT points at an external endpoint, with no radosgw of ours to kill)`, body);
  };

  testOnOwnCluster('radosgw killed mid-read: every read in flight settles with ECONNRESET, none hangs', async () => {
    const rgw = await startExtraRadosgw(cluster as CephCluster, 'victim');
    expect(rgw.clients).toHaveLength(1);
    try {
      const fs = await connect(cluster, bucket, { endpoint: rgw.endpoint, retry: { attempts: 3, baseDelayMs: 20 }, timeoutMs: 10_000 });
      const file = await fs.open('big.bin');
      // 48 reads of 8 MiB (384 MiB to send), each into a buffer of a marker byte: radosgw is
      // killed once every read has its first bytes (so each is mid-way or done, none still
      // connecting, which would be a refusal, not a reset).
      const MARK = 0xa5;
      const buffers = Array.from({ length: 48 }, () => Buffer.alloc(8 << 20, MARK));
      const settled = new Set<number>();
      const reads = buffers.map((buffer, i) =>
        file
          .readAt((i % 2) * (8 << 20), buffer)
          .then(
            () => 'ok',
            (error: MfioError) => error.code,
          )
          .finally(() => settled.add(i)),
      );
      const started = (i: number): boolean => settled.has(i) || buffers[i]!.subarray(0, 16).some((byte) => byte !== MARK);
      await until(
        () => buffers.every((_, i) => started(i)),
        HANG_MS,
        'every read to get its first bytes',
        () => JSON.stringify(fs.diagnostics()),
      );
      process.kill(rgw.pid, 'SIGKILL');
      const killed = performance.now();
      const outcomes = await within(Promise.all(reads), HANG_MS, 'reads after radosgw was killed', () => JSON.stringify(fs.diagnostics()));
      const seconds = (performance.now() - killed) / 1000;
      const failed = outcomes.filter((o) => o !== 'ok');
      expect(failed.length).toBeGreaterThan(0);
      expect(new Set(failed)).toEqual(new Set(['ECONNRESET']));
      expect(seconds).toBeLessThan(10); // the request timeout: retries end long before it
      await fs.close();
    } finally {
      await evictRadosgw(cluster as CephCluster, rgw);
    }
  });

  test('an object replaced between two reads of one handle fails with ESTALE, never mixed bytes', async () => {
    await putObject(client, bucket, 'changing.bin', data.subarray(0, 1 << 20));
    const fs = await connect(cluster, bucket);
    const file = await fs.open('changing.bin');
    expect(Buffer.from(await file.readAt(0, 1000)).equals(data.subarray(0, 1000))).toBe(true);
    await putObject(client, bucket, 'changing.bin', Buffer.alloc(1 << 20, 0xee));
    await expect(file.readAt(0, 1000)).rejects.toMatchObject({ code: 'ESTALE' });
    await expect(
      readMany(file, [
        [0, 10],
        [5000, 10],
      ]),
    ).rejects.toMatchObject({ code: 'ESTALE' });
    // A new handle sees the new version.
    const fresh = await fs.open('changing.bin');
    expect(Buffer.from(await fresh.readAt(0, 4)).equals(Buffer.alloc(4, 0xee))).toBe(true);
    await fs.close();
  });

  test('503 SlowDown is retried with back-off, then the read succeeds', async () => {
    // The first two GETs of the read are throttled; HEADs (open) pass.
    let gets = 0;
    await withProxy(
      (method) => (method === 'GET' && gets++ < 2 ? '503' : 'pass'),
      async (proxy) => {
        const fs = await connect(cluster, bucket, { endpoint: proxy.endpoint, retry: { attempts: 4, baseDelayMs: 10 } });
        const file = await fs.open('big.bin');
        expect(Buffer.from(await file.readAt(12345, 100_000)).equals(data.subarray(12345, 112345))).toBe(true);
        expect(proxy.log.filter((f) => f === '503')).toHaveLength(2);
        await fs.close();
      },
    );
  });

  test('503 on every try: the read fails with EAGAIN after the tries, naming SlowDown', async () => {
    await withProxy(
      (method) => (method === 'GET' ? '503' : 'pass'),
      async (proxy) => {
        const fs = await connect(cluster, bucket, { endpoint: proxy.endpoint, retry: { attempts: 3, baseDelayMs: 5 } });
        const file = await fs.open('big.bin');
        await expect(file.readAt(0, 10)).rejects.toMatchObject({ code: 'EAGAIN', message: expect.stringContaining('SlowDown') });
        expect(proxy.log.filter((f) => f === '503')).toHaveLength(3);
        await fs.close();
      },
    );
  });

  test('a connection cut mid-body: the GET resumes from the bytes it has, and the read is whole', async () => {
    let gets = 0;
    await withProxy(
      (method) => (method === 'GET' && gets++ === 0 ? 'cut' : 'pass'),
      async (proxy) => {
        const fs = await connect(cluster, bucket, { endpoint: proxy.endpoint, retry: { attempts: 3, baseDelayMs: 5 } });
        const file = await fs.open('big.bin');
        expect(Buffer.from(await file.readAt(1000, 2 << 20)).equals(data.subarray(1000, 1000 + (2 << 20)))).toBe(true);
        expect(proxy.log).toContain('cut');
        await fs.close();
      },
      { cutAfter: 300_000 },
    );
  });

  test('abort mid-read: the request is dropped and the buffer is never written after released', async () => {
    await withProxy(
      (method) => (method === 'GET' ? 'trickle' : 'pass'),
      async (proxy) => {
        const fs = await connect(cluster, bucket, { endpoint: proxy.endpoint, fragmentSize: 16 << 10 });
        const file = await fs.open('big.bin');
        const buffer = Buffer.alloc(4 << 20, 0x55);
        const controller = new AbortController();
        const read = file.readAt(0, buffer, { signal: controller.signal });
        // Wait until the first bytes landed: the read is mid-way.
        await within(
          (async () => {
            while (buffer[0] === 0x55) await new Promise((resolve) => setTimeout(resolve, 5));
          })(),
          HANG_MS,
          'the first bytes of the trickled read',
        );
        controller.abort();
        const error = (await read.catch((e: MfioError) => e)) as MfioError;
        expect(error.code).toBe('ABORT_ERR');
        await error.released;
        const snapshot = Buffer.from(buffer);
        await new Promise((resolve) => setTimeout(resolve, 300)); // the trickle would have sent ~15 more pieces
        expect(buffer.equals(snapshot)).toBe(true);
        expect(buffer.subarray(buffer.length - 16)).toEqual(Buffer.alloc(16, 0x55)); // never finished
        // The GET was dropped: its socket closed, the proxy's response cut short (seen a moment later).
        await until(() => proxy.dropped === 1, 5000, "the aborted GET's response to be dropped");
        await fs.close();
      },
      { trickleBytes: 16 << 10, trickleMs: 20 },
    );
  });
});
