import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { NativeRt } from '../src/index.js';

/**
 * `writeDurable`: the write and an fdatasync (linked in one submission on io_uring), resolved
 * only once both completed. The page cache survives a killed process, so the kill alone would
 * not show a missing flush: the child also reports how many fsyncs had completed when each
 * write resolved (native backends count them).
 */
const dir = mkdtempSync(join(tmpdir(), 'mfio-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RECORD = 512;
const KILL_AFTER = 100;

for (const result of NativeRt.builder().enableAll().buildEach()) {
  if (result.rt === undefined) continue;
  void result.rt.close();
  const name = result.name;
  describe(`writeDurable on ${name}`, () => {
    test('writes every byte and flushes before it resolves; fails on a read-only handle and after close', async () => {
      const rt = NativeRt.builder().enable(name).build();
      try {
        const path = join(dir, `basic-${name}.bin`);
        const file = await rt.open(path, { write: true, read: true, create: true });
        const before = rt.diagnostics().completed.fsync ?? 0;
        await file.writeDurable(10, Buffer.from('durable'));
        if (name !== 'libuv') expect(rt.diagnostics().completed.fsync).toBe(before + 1);
        expect(await file.readAt(0, 100)).toEqual(Buffer.concat([Buffer.alloc(10), Buffer.from('durable')]));
        // 4 MiB: more than one write may be needed; still one flush after the last of them.
        const big = Buffer.alloc(4 << 20, 3);
        await file.writeDurable(0, big);
        expect((await file.metadata()).len).toBe(big.length);
        await file.close();
        await expect(file.writeDurable(0, Buffer.from('x'))).rejects.toMatchObject({ code: 'EBADF' });
        const reader = await rt.open(path);
        await expect(reader.writeDurable(0, Buffer.from('x'))).rejects.toMatchObject({ code: 'EBADF' });
        await reader.close();
      } finally {
        await rt.close();
      }
    });

    test('a writer killed with SIGKILL right after a write resolved: every resolved record is in the file', async () => {
      const path = join(dir, `killed-${name}.bin`);
      const child = spawn(process.execPath, [join(__dirname, 'fixtures', 'durable-writer.mjs'), path, name], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
      const seen: Array<[number, number]> = [];
      for await (const line of createInterface({ input: child.stdout })) {
        const [seq, fsyncs] = line.split(' ').map(Number) as [number, number];
        seen.push([seq, fsyncs]);
        if (seen.length === KILL_AFTER) child.kill('SIGKILL');
      }
      expect(await exited).toBe('SIGKILL');
      expect(seen.length).toBeGreaterThanOrEqual(KILL_AFTER);
      const bytes = readFileSync(path);
      for (const [seq, fsyncs] of seen) {
        const record = bytes.subarray(seq * RECORD, (seq + 1) * RECORD);
        expect(record.length).toBe(RECORD);
        expect(record.readUInt32LE(0)).toBe(seq);
        expect(record[RECORD - 1]).toBe(seq % 251);
        // One flush per record, completed before the record's write resolved (libuv does not count).
        if (name !== 'libuv') expect(fsyncs).toBeGreaterThanOrEqual(seq + 1);
      }
    });
  });
}
