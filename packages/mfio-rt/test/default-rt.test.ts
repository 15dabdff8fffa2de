import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { configure, defaultRt, fs, open, readFile, writeFile } from '../src/index.js';

const run = promisify(execFile);
const dist = join(__dirname, '..', 'dist', 'index.js');

describe('the default runtime', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mfio-default-rt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('writeFile, readFile, open and fs.open share one runtime built on first use', async () => {
    const path = join(dir, 'a.txt');
    await writeFile(path, 'hello default');
    expect(readFileSync(path, 'utf8')).toBe('hello default');
    expect((await readFile(path)).toString()).toBe('hello default');
    expect((await readFile(path, 6)).toString()).toBe('default');
    const rt = defaultRt();
    expect(defaultRt()).toBe(rt);
    {
      await using file = await open(path);
      expect((await file.readAt(0, 5)).toString()).toBe('hello');
      await using same = await fs.open(path);
      expect(same.backend).toBe(rt.backend);
    }
    expect(rt.diagnostics().open).toEqual({});
  });

  test('configure() after the first use fails with ERR_MFIO_ALREADY_STARTED, naming the backend', () => {
    defaultRt();
    expect(() => configure({ backends: ['libuv'] })).toThrow(
      expect.objectContaining({ code: 'ERR_MFIO_ALREADY_STARTED', message: expect.stringContaining(defaultRt().backendName) }),
    );
  });

  test('errors keep their codes: ENOENT from readFile, EINVAL naming the rule from open', async () => {
    await expect(readFile(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open' });
    await expect(open(join(dir, 'new.txt'), { create: true })).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringContaining('"create" needs "write" or "append"'),
    });
  });

  // A fresh process per case: the default runtime is per process (per worker), and configure()
  // must come first.
  const node = (script: string, env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string }> =>
    run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      timeout: 60_000,
      env: { ...process.env, MFIO_FS_BACKENDS: '', ...env },
    });

  test('configure() before the first use chooses the backends; a bad option is refused', async () => {
    const { stdout } = await node(`
      import { configure, defaultRt } from ${JSON.stringify(dist)};
      for (const bad of [{ bogus: true }, { backends: ['io-uring'] }, { cwd: 1 }]) {
        try { configure(bad); } catch (e) { console.log('refused', e.code); }
      }
      configure({ backends: ['libuv'], cwd: ${JSON.stringify(dir)} });
      try { configure({}); } catch (e) { console.log('twice', e.code); }
      console.log('backend', defaultRt().backendName);
    `);
    expect(stdout.split('\n').filter(Boolean)).toEqual([
      'refused ERR_INVALID_ARG_VALUE',
      'refused ERR_INVALID_ARG_VALUE',
      'refused ERR_INVALID_ARG_TYPE',
      'twice ERR_MFIO_ALREADY_STARTED',
      'backend libuv',
    ]);
  });

  // The process exits by itself after its last read (execFile's timeout would kill a process the
  // runtime kept alive, failing the case); each worker thread gets a runtime of its own.
  test.each([
    ['the best backend', ''],
    ['libuv', 'libuv'],
  ])('an idle default runtime (%s) keeps neither a process nor a worker alive', async (_label, backends) => {
    writeFileSync(join(dir, 'data.txt'), 'shared data');
    const { stdout } = await node(
      `
      import { Worker } from 'node:worker_threads';
      import { defaultRt, readFile } from ${JSON.stringify(dist)};
      // The worker inherits --input-type=module: its code is a module too.
      const inWorker = \`
        import { parentPort } from 'node:worker_threads';
        import { defaultRt, readFile } from ${JSON.stringify(dist)};
        const text = (await readFile(${JSON.stringify(join(dir, 'data.txt'))})).toString();
        parentPort.postMessage({ text, backend: defaultRt().backendName, open: defaultRt().diagnostics().open });\`;
      const text = (await readFile('data.txt')).toString();
      const worker = new Worker(inWorker, { eval: true });
      const [message] = await Promise.all([new Promise((resolve) => worker.once('message', resolve)), new Promise((resolve) => worker.once('exit', resolve))]);
      console.log(JSON.stringify({ text, backend: defaultRt().backendName, worker: message }));
    `,
      { MFIO_FS_BACKENDS: backends },
    );
    const out = JSON.parse(stdout) as { text: string; backend: string; worker: { text: string; backend: string; open: object } };
    expect(out.text).toBe('shared data');
    expect(out.worker).toEqual({ text: 'shared data', backend: out.backend, open: {} });
    if (backends !== '') expect(out.backend).toBe(backends);
  });
});
