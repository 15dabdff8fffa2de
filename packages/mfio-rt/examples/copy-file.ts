/**
 * Copy a file with many reads in flight: 32 workers, each reading 256 KiB at its own position
 * and writing it at the same position in the copy, so the backend always has work queued.
 *
 *   pnpm -F @mfio/rt example:copy                 # copies a generated 32 MiB file, checks it, cleans up
 *   pnpm -F @mfio/rt example:copy <from> <to>     # copies your file
 */
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@mfio/core';
import { NativeRt } from '../src/index.js';

const CHUNK = 256 * 1024;
const IN_FLIGHT = 32;

async function copy(rt: NativeRt, from: string, to: string): Promise<number> {
  const src = await rt.open(from);
  const dst = await rt.open(to, { write: true, create: true, truncate: true });
  try {
    const { len } = await src.metadata();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < len) {
        const position = next;
        next += CHUNK;
        const data = await src.readExactAt(position, Math.min(CHUNK, len - position));
        await dst.writeAllAt(position, data);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await dst.sync();
    return len;
  } finally {
    await Promise.all([src.close(), dst.close()]);
  }
}

async function main(): Promise<void> {
  const rt = NativeRt.builder().enableAll().build();
  const [from, to] = process.argv.slice(2);
  try {
    if (from !== undefined && to !== undefined) {
      const started = performance.now();
      const len = await copy(rt, from, to);
      report(rt, len, performance.now() - started);
      return;
    }
    // No arguments: a self-checking demo on a generated file.
    const dir = await mkdtemp(join(tmpdir(), 'mfio-copy-'));
    try {
      const source = join(dir, 'source.bin');
      await writeFile(source, new SeededRandom(42).bytes(32 << 20));
      const started = performance.now();
      const len = await copy(rt, source, join(dir, 'copy.bin'));
      report(rt, len, performance.now() - started);
      const same = (await readFile(source)).equals(await readFile(join(dir, 'copy.bin')));
      console.log(same ? 'the copy is identical' : 'THE COPY DIFFERS');
      if (!same) process.exitCode = 1;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    await rt.close();
  }
}

function report(rt: NativeRt, len: number, ms: number): void {
  console.log(
    `copied ${len} bytes in ${ms.toFixed(1)} ms on the ${rt.backendName} backend (${(((len / ms) * 1e3) / 2 ** 20).toFixed(0)} MiB/s, ${IN_FLIGHT} x ${CHUNK / 1024} KiB in flight)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
