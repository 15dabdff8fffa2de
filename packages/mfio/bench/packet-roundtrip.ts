/**
 * Micro-benchmark of the core's own overhead, through the in-memory backend (no kernel):
 * what one packet round-trip costs, and what readMany saves over one promise per read.
 * Run: pnpm --filter @mfio/core bench   Each task does 1,000 reads of 64 B; figures are per read,
 * and ratios are against "readAt x1000 in flight" measured in the same run.
 */
import { Bench } from 'tinybench';
import { MemoryFile, Packet, SeededRandom } from '../src/index.js';

const READS = 1000;
const SIZE = 64;
const random = new SeededRandom(1);
const file = new MemoryFile(random.bytes(1 << 20));
const positions = Array.from({ length: READS }, () => random.int((1 << 20) - SIZE));
const pairs = positions.map((p) => [p, SIZE] as const);
const scratch = Buffer.alloc(SIZE);
const BASELINE = 'readAt x1000 in flight (Promise.all)';

const bench = new Bench({ time: 1500, warmupTime: 300 });
bench
  .add('Packet + view + complete, no backend', () => {
    for (let i = 0; i < READS; i++) new Packet(scratch, 'read').view().complete();
  })
  .add('readAtSync, one at a time', () => {
    for (const p of positions) file.readAtSync(p, scratch);
  })
  .add('readAt, awaited one at a time', async () => {
    for (const p of positions) await file.readAt(p, scratch);
  })
  .add(BASELINE, async () => {
    await Promise.all(positions.map((p) => file.readAt(p, SIZE)));
  })
  .add('readMany of 1000 pairs, one await', async () => {
    await file.readMany(pairs);
  });

await bench.run();

const perRead = (name: string): number => {
  const result = bench.getTask(name)?.result;
  if (!result || !('latency' in result)) throw new Error(`no result for ${name}`);
  return (result.latency.mean * 1e6) / READS; // ms per task -> ns per read
};
const base = perRead(BASELINE);
console.log(`@mfio/core micro-benchmark: ${READS} reads of ${SIZE} B per task, in-memory backend, Node ${process.version}`);
console.table(
  bench.tasks.map((task) => {
    const ns = perRead(task.name);
    return {
      task: task.name,
      'ns per read': Math.round(ns),
      'reads/s': Math.round(1e9 / ns).toLocaleString('en-US'),
      [`speed vs "${BASELINE}"`]: `${(base / ns).toFixed(2)}x`,
    };
  }),
);
