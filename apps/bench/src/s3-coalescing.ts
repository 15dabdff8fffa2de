#!/usr/bin/env node
/**
 * How `@mfio/s3`'s readMany coalescing limits change what a batch costs: three batch shapes,
 * each with maxGap 0 / 64 KiB / 256 KiB / 1 MiB (and the amplification limit on or off), on a
 * local Ceph radosgw, straight and through the delay proxy (20 ms each way). Prints the median
 * time per batch, the GETs the plan makes (planRanges, which readMany follows) and the bytes
 * fetched per byte wanted. The defaults in packages/mfio-s3/src/options.ts come from this.
 * Usage: node dist/s3-coalescing.js [--repeat N]
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readMany, SeededRandom } from '@mfio/core';
import { S3Fs, type CoalesceOptions } from '@mfio/s3';
import { startCluster, startDelayProxy } from './s3-bench.js';

const OBJECT_SIZE = 64 << 20;
const SHAPES = {
  'clustered: 1,000 reads of 1-16 KiB in 4 MiB': (r: SeededRandom) => spread(r, 1000, 4 << 20, 1024, 16384),
  'medium: 256 reads of 4 KiB in 16 MiB': (r: SeededRandom) => spread(r, 256, 16 << 20, 4096, 4096),
  'sparse: 64 reads of 4 KiB in 64 MiB': (r: SeededRandom) => spread(r, 64, OBJECT_SIZE, 4096, 4096),
};
const CONFIGS: Array<[string, CoalesceOptions]> = [
  ['off (maxGap 0, merged only when touching)', { maxGap: 0 }],
  ['maxGap 64 KiB, amplification 4', { maxGap: 64 << 10, maxAmplification: 4 }],
  ['maxGap 256 KiB, amplification 4', { maxGap: 256 << 10, maxAmplification: 4 }],
  ['maxGap 256 KiB, amplification 16 (default)', { maxGap: 256 << 10, maxAmplification: 16 }],
  ['maxGap 256 KiB, no amplification limit', { maxGap: 256 << 10, maxAmplification: Infinity }],
  ['maxGap 1 MiB, amplification 16', { maxGap: 1 << 20, maxAmplification: 16 }],
  ['maxGap 1 MiB, no amplification limit', { maxGap: 1 << 20, maxAmplification: Infinity }],
];

function spread(random: SeededRandom, count: number, window: number, min: number, max: number): Array<[number, number]> {
  const base = random.int(OBJECT_SIZE - window);
  return Array.from({ length: count }, () => {
    const length = random.range(min, max);
    return [base + random.int(window - length), length];
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

async function main(): Promise<void> {
  const repeat = Number(process.argv[process.argv.indexOf('--repeat') + 1] ?? 5) || 5;
  const cluster = await startCluster();
  const proxies: Array<{ stop(): Promise<void> }> = [];
  try {
    const bucket = `mfio-coalesce-${Date.now().toString(36)}`;
    const credentials = { accessKeyId: cluster.accessKeyId, secretAccessKey: cluster.secretAccessKey };
    const sdk = new S3Client({
      endpoint: cluster.endpoint,
      region: cluster.region,
      forcePathStyle: true,
      credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    await sdk.send(new CreateBucketCommand({ Bucket: bucket }));
    const data = Buffer.from(new SeededRandom(3).bytes(OBJECT_SIZE));
    await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: 'o.bin', Body: data, ContentLength: data.length }));
    sdk.destroy();
    const direct = new URL(cluster.endpoint);
    const proxy = await startDelayProxy(direct, 20);
    proxies.push(proxy);
    const lines = ['| endpoint | batch | coalescing | ms per batch (median) | GETs per batch | bytes fetched / wanted |', '|---|---|---|---:|---:|---:|'];
    for (const [where, endpoint] of [
      ['direct', cluster.endpoint],
      ['20 ms each way', proxy.endpoint],
    ] as const) {
      for (const [shape, make] of Object.entries(SHAPES)) {
        for (const [label, coalesce] of CONFIGS) {
          const fs = await S3Fs.connect({ endpoint, bucket, region: cluster.region, credentials, coalesce });
          const file = await fs.open('o.bin');
          const times: number[] = [];
          let gets = 0;
          let fetched = 0;
          let wanted = 0;
          for (let run = 0; run <= repeat; run++) {
            const reads = make(new SeededRandom(run));
            const before = fs.diagnostics().inFlight.length; // 0: nothing left from the run before
            const started = performance.now();
            const result = await readMany(file, reads, { maxMergedSize: 0 });
            const ms = performance.now() - started;
            if (before !== 0) throw new Error('requests left in flight');
            for (let i = 0; i < reads.length; i++)
              if (!result.at(i).equals(data.subarray(reads[i]![0], reads[i]![0] + reads[i]![1]))) throw new Error('wrong bytes');
            if (run === 0) continue; // warm-up
            times.push(ms);
            const plan = (await import('@mfio/s3')).planRanges(
              reads.map((r) => r[0]),
              reads.map((r) => r[1]),
              { maxGap: 256 << 10, maxMergedSize: 8 << 20, maxAmplification: 16, ...coalesce },
            );
            gets += plan.length;
            fetched += plan.reduce((n, r) => n + r.end - r.start, 0);
            wanted += reads.reduce((n, r) => n + r[1], 0);
          }
          await fs.close();
          const row = `| ${where} | ${shape} | ${label} | ${median(times).toFixed(1)} | ${(gets / repeat).toFixed(0)} | ${(fetched / wanted).toFixed(2)} |`;
          console.log(row);
          lines.push(row);
        }
      }
    }
    console.log(`\n${lines.join('\n')}`);
  } finally {
    for (const proxy of proxies) await proxy.stop();
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
