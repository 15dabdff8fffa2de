import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { MemoryBackend, MemoryFile, MfioError, readMany } from '../src/index.js';

const turn = (): Promise<void> => new Promise(setImmediate);

/** A file whose completions run only when the test flushes: requests stay in flight. */
function heldFile(initial: Uint8Array | number = 0): { file: MemoryFile; backend: MemoryBackend } {
  const backend = new MemoryBackend({ completion: 'manual', maxFragments: 4, seed: 11 });
  return { file: new MemoryFile(initial, { backend }), backend };
}

describe('AbortSignal', () => {
  test('an already aborted signal rejects with ABORT_ERR and sends no I/O', async () => {
    const { file, backend } = heldFile(Buffer.from('abc'));
    const reason = new Error('stop');
    const signal = AbortSignal.abort(reason);
    for (const call of [file.readAt(0, 1, { signal }), file.writeAt(0, 'x', { signal }), file.readMany([[0, 1]], { signal }), file.readToEnd(0, { signal })]) {
      const error = await call.catch((e: MfioError) => e);
      expect(error).toMatchObject({ code: 'ABORT_ERR', name: 'AbortError', cause: reason });
    }
    expect(backend.pending).toBe(0);
  });

  test('abort during a read settles the promise at once; the buffer stays with the backend until its completion', async () => {
    const { file, backend } = heldFile(Buffer.from('abcdef'));
    const controller = new AbortController();
    const buffer = Buffer.alloc(6, '.');
    const read = file.readAt(0, buffer, { signal: controller.signal }).catch((e: MfioError) => e);
    expect(backend.pending).toBeGreaterThan(0);

    controller.abort();
    const error = (await read) as MfioError;
    expect(error.code).toBe('ABORT_ERR');
    expect(error.released).toBeInstanceOf(Promise);

    let released = false;
    void error.released!.then(() => (released = true));
    await turn();
    expect(released).toBe(false); // the "kernel" still owns the buffer

    backend.flush(); // its cancellation completions arrive
    await turn();
    expect(released).toBe(true);
    expect(buffer.toString()).toBe('......'); // a cancelled request transferred nothing
  });

  test('abort during a write stops it; bytes already written stay, nothing after the abort lands', async () => {
    const backend = new MemoryBackend({ completion: 'manual', writeLimit: 2 });
    const file = new MemoryFile(0, { backend });
    const controller = new AbortController();
    const write = file.writeAllAt(0, 'abcdef', { signal: controller.signal }).catch((e: MfioError) => e);
    backend.flush();
    await turn();
    controller.abort();
    expect(await write).toMatchObject({ code: 'ABORT_ERR', bytesTransferred: 2 });
    backend.flush();
    expect(file.bytes().toString()).toBe('ab');
  });

  test('abort during readMany cancels every request of the batch', async () => {
    const { file, backend } = heldFile(Buffer.alloc(1000, 7));
    const controller = new AbortController();
    // Unmerged (these touch, so they would merge into one read): one view per request.
    const batch = file
      .readMany(
        Array.from({ length: 50 }, (_, i) => [i * 10, 10] as const),
        { signal: controller.signal, maxMergedSize: 0 },
      )
      .catch((e: MfioError) => e);
    controller.abort();
    const error = (await batch) as MfioError;
    expect(error.code).toBe('ABORT_ERR');
    const fragments = backend.pending;
    expect(fragments).toBeGreaterThanOrEqual(50);
    backend.flush();
    await expect(error.released).resolves.toBeUndefined();
    // Every fragment of every request completed as a cancellation, none transferred data.
    expect(backend.stats.cancelled).toBe(fragments);
  });

  test('a signal that is not an AbortSignal is rejected with ERR_INVALID_ARG_TYPE', async () => {
    const file = new MemoryFile(1);
    await expect(file.readAt(0, 1, { signal: {} as AbortSignal })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });

  test('requests sharing a signal add one abort listener between them, not one each', async () => {
    const file = new MemoryFile(Buffer.from('abcdef'));
    const controller = new AbortController();
    const { signal } = controller;
    await Promise.all(Array.from({ length: 64 }, (_, i) => file.readAt(i % 6, 1, { signal })));
    for (let i = 0; i < 20; i++) await file.readAt(0, 1, { signal });
    expect(EventEmitter.getEventListeners(signal, 'abort')).toHaveLength(1);
    // ... and aborting still reaches every request in flight on it.
    const backend = new MemoryBackend({ completion: 'manual' });
    const held = new MemoryFile(Buffer.from('abc'), { backend });
    const reads = Array.from({ length: 20 }, () => held.readAt(0, 1, { signal }).catch((e: MfioError) => e.code));
    controller.abort();
    expect(new Set(await Promise.all(reads))).toEqual(new Set(['ABORT_ERR']));
    backend.flush();
    expect(backend.stats.cancelled).toBe(20);
  });
});

describe('backends that break their contract', () => {
  test('sendIo throwing on the second view of a batch: the call settles only once the first view is done', async () => {
    const backend = new MemoryBackend({ completion: 'manual' });
    const file = new MemoryFile(Buffer.from('abcdefgh'), { backend });
    let calls = 0;
    const flaky = {
      backend,
      sendIo(position: number, view: import('../src/index.js').PacketView): void {
        if (++calls === 2) throw new Error('backend bug');
        file.sendIo(position, view);
      },
    };
    const into = Buffer.alloc(4, '.');
    let settled = false;
    const batch = readMany(
      flaky,
      [
        [0, 2],
        [4, 2],
      ],
      { into },
    )
      .finally(() => (settled = true))
      .catch((e: MfioError) => e);
    await turn();
    expect(settled).toBe(false); // the first view still belongs to the backend
    backend.flush();
    const error = (await batch) as MfioError;
    expect(error).toMatchObject({ code: 'EIO', position: 4, cause: expect.objectContaining({ message: 'backend bug' }) });
    expect(into.subarray(0, 2).toString()).toBe('ab'); // written before the promise settled, not after
  });

  test('a cancel handler that throws: the caller still gets ABORT_ERR, and so does every other request on the signal', () => {
    const script = `
      import { MemoryBackend, MemoryFile } from './src/index.ts';
      const backend = new MemoryBackend({ completion: 'manual' });
      const file = new MemoryFile(Buffer.from('abc'), { backend });
      const throwing = { backend, sendIo(p, v) { v.packet.onCancel(() => { throw new Error('bad cancel handler'); }); file.sendIo(p, v); } };
      process.on('uncaughtException', (e) => console.log('uncaught:', e.message));
      const controller = new AbortController();
      const { readAt } = await import('./src/index.ts');
      const a = readAt(throwing, 0, 1, { signal: controller.signal }).catch((e) => e.code);
      const b = readAt(file, 0, 1, { signal: controller.signal }).catch((e) => e.code);
      controller.abort();
      console.log('results:', await a, await b);
      backend.flush();
    `;
    const out = runScript(script);
    expect(out).toContain('results: ABORT_ERR ABORT_ERR');
    expect(out).toContain('uncaught: bad cancel handler'); // the bug stays loud
  });
});

function runScript(source: string): string {
  const packageDir = resolve(__dirname, '..');
  const tsx = require.resolve('tsx/cli', { paths: [packageDir] });
  return execFileSync(process.execPath, [tsx, '--input-type=module', '-e', source], { cwd: packageDir, encoding: 'utf8', timeout: 30_000 });
}
