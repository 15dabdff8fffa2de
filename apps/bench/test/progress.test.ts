/** The progress display, on a terminal and off one, writing to a stream that records its text. */
import { Progress } from '../src/progress.js';
import type { CaseResult } from '../src/measure.js';

function stream(isTTY: boolean): { text: string; isTTY: boolean; columns: number; write(t: string): void } {
  return {
    text: '',
    isTTY,
    columns: 80,
    write(t: string) {
      this.text += t;
    },
  };
}

function result(contender: string, readsPerSecond: number, verified = true, error?: string): CaseResult {
  const spec = {
    contender,
    file: 'f',
    fileSize: 1 << 20,
    pattern: 'random' as const,
    size: 4096,
    inFlight: 64,
    reads: 256,
    cache: 'hot' as const,
    time: 10,
    seed: 42,
  };
  return { spec, verified, readsPerSecond, mibPerSecond: 0, rme: 0, samples: 1, ...(error ? { error } : {}) };
}

describe('Progress', () => {
  test('off a terminal: one plain line per finished case, no carriage returns', () => {
    const out = stream(false);
    const progress = new Progress(2, out);
    progress.start(result('node:readSync', 0).spec);
    progress.done(result('node:readSync', 1234567.8));
    progress.start(result('node:promises', 0).spec);
    progress.done(result('node:promises', 10, false));
    progress.finish();
    expect(out.text).toBe('[1/2] hot random 4 KiB node:readSync: 1,234,568 reads/s\n[2/2] hot random 4 KiB node:promises: 10 reads/s CHECKSUM MISMATCH\n');
  });

  test('on a terminal: one line redrawn in place, failures kept on lines of their own', () => {
    const out = stream(true);
    const progress = new Progress(3, out, true);
    progress.start(result('a', 0).spec);
    expect(out.text).toBe('\r\x1b[2K[....................] [0/3] hot random 4 KiB a');
    progress.done(result('a', 5));
    progress.start(result('b', 0).spec);
    // eslint-disable-next-line no-control-regex -- the terminal's erase-line escape is what is checked
    expect(out.text).toMatch(/\r\x1b\[2K\[#{7}\.{13}\] \[1\/3\] hot random 4 KiB b ~\d+s left$/);
    progress.done(result('b', 0, false, 'Error: boom\n    at somewhere'));
    expect(out.text.endsWith('\r\x1b[2K[2/3] hot random 4 KiB b: error: Error: boom\n')).toBe(true);
    progress.start(result('c', 0).spec);
    progress.done(result('c', 5));
    progress.finish();
    // eslint-disable-next-line no-control-regex -- the terminal's erase-line escape is what is checked
    expect(out.text).toMatch(/\r\x1b\[2K3 cases in \d+s\n$/);
    expect(out.text.split('\n')).toHaveLength(3);
  });

  test('on a terminal, a line longer than the screen is cut to fit', () => {
    const out = stream(true);
    out.columns = 30;
    new Progress(1, out, true).start(result('x'.repeat(100), 0).spec);
    expect(out.text).toBe(`\r\x1b[2K${'[....................] [0/1] hot random 4 KiB x'.slice(0, 28)}…`);
  });
});
