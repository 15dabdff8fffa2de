import { SeededRandom } from '@mfio/core';
import type { SuiteContext } from './context.js';
import { largeByte } from './fixture.js';
import { sameBytes } from './helpers.js';

/** Requests at once on one handle: far more than a 256-entry ring or a thread pool holds. */
const MANY = 10_000;
/** Operations of the data-integrity run, and the most in flight at once within it. */
const OPERATIONS = 10_000;
const ROUND = 64;
const SPAN = 4 << 20;

interface Operation {
  kind: 'read' | 'write';
  position: number;
  length: number;
  data?: Buffer;
}

/**
 * One round of the integrity run: operations that may run concurrently with a single answer.
 * No two overlap; and when a write extends the file, reads stay inside the old length (a read
 * past the end would see either the old end or the zero gap, depending on timing).
 */
function round(random: SeededRandom, fileLength: number): Operation[] {
  const ops: Operation[] = [];
  const taken: Array<[number, number]> = [];
  const free = (a: number, b: number): boolean => taken.every(([c, d]) => b <= c || d <= a);
  const count = random.range(1, ROUND);
  for (let tries = 0; ops.length < count && tries < count * 4; tries++) {
    const position = random.int(SPAN);
    const length = random.range(1, random.int(8) === 0 ? 65536 : 4096);
    if (!free(position, position + length)) continue;
    taken.push([position, position + length]);
    if (random.int(2) === 0) ops.push({ kind: 'write', position, length, data: Buffer.from(random.bytes(length)) });
    else ops.push({ kind: 'read', position, length });
  }
  const extends_ = ops.some((op) => op.kind === 'write' && op.position + op.length > fileLength);
  return extends_ ? ops.filter((op) => op.kind === 'write' || op.position + op.length <= fileLength) : ops;
}

/** Registers the cases that push a backend's queues and check every byte. */
export function stressCases(ctx: SuiteContext): void {
  describe('under load', () => {
    ctx.test(`${MANY} reads in flight at once on one handle`, async () => {
      const large = ctx.fixture.files.find((f) => f.path.startsWith('large/'));
      if (large === undefined) throw new Error('the fixture has no large file');
      const index = Number(large.path.slice('large/'.length));
      const file = await ctx.fs.open(ctx.absolute(large.path));
      const random = new SeededRandom(10_000);
      const positions = Array.from({ length: MANY }, () => random.int(large.data.length - 16));
      const reads = await Promise.all(positions.map((position) => file.readAt(position, 16)));
      reads.forEach((got, i) => {
        const position = positions[i]!;
        sameBytes(got, large.data.subarray(position, position + 16), `read ${i} at ${position}`);
        if (got[0] !== largeByte(index, position)) throw new Error(`read ${i}: off the formula`);
      });
      await file.close();
    });

    ctx.test(`data integrity: ${OPERATIONS} seeded random reads and writes checked byte for byte against a model`, async () => {
      const dir = await ctx.scratch();
      const file = await dir.openFile('integrity.bin', { read: true, write: true, createNew: true });
      const random = new SeededRandom(20_261_125);
      let model = Buffer.alloc(0);
      let done = 0;
      while (done < OPERATIONS) {
        const ops = round(random, model.length);
        const results = await Promise.all(
          ops.map((op) => (op.kind === 'write' ? file.writeAllAt(op.position, op.data!) : file.readAt(op.position, op.length))),
        );
        ops.forEach((op, i) => {
          if (op.kind !== 'read') return;
          const expected = model.subarray(Math.min(op.position, model.length), Math.min(op.position + op.length, model.length));
          sameBytes(results[i] as Buffer, expected, `operation ${done + i}: read of ${op.length} at ${op.position}`);
        });
        for (const op of ops) {
          if (op.kind !== 'write') continue;
          const end = op.position + op.length;
          if (end > model.length) model = Buffer.concat([model, Buffer.alloc(end - model.length)]);
          op.data!.copy(model, op.position);
        }
        done += ops.length;
      }
      expect((await file.metadata()).len).toBe(model.length);
      sameBytes(await file.readToEnd(), model, 'the whole file after the run');
      await file.close();
    });
  });
}
