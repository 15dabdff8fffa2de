import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { openZip } from '../src/yauzl.js';
import { describeEachTarget, startTargets, withFile, type Targets } from './support/targets.js';

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** What the archive holds: a deflated text, a stored (`zip -n .bin`) binary, a nested file. */
const contents: Record<string, Buffer> = {
  'hello.txt': Buffer.from('hello from a zip\n'.repeat(200)),
  'data.bin': randomBytes(300_000),
  'sub/deeper/note.txt': Buffer.from('nested'),
};

describe('@mfio/adapters/yauzl', () => {
  let targets: Targets;
  beforeAll(async () => {
    targets = await startTargets();
    const tree = join(targets.dir, 'tree');
    for (const [name, data] of Object.entries(contents)) {
      await mkdir(join(tree, name, '..'), { recursive: true });
      await writeFile(join(tree, name), data);
    }
    // Info-ZIP's zip (Debian's `zip`; .ci/run installs it when missing).
    execFileSync('zip', ['-q', '-r', '-n', '.bin', join(targets.dir, 'archive.zip'), '.'], { cwd: tree });
    await targets.put('archive.zip', await readFile(join(targets.dir, 'archive.zip')));
    await targets.put('not-a.zip', Buffer.from('plain text, no central directory'.repeat(10)));
  });
  afterAll(() => targets?.close());

  describeEachTarget((kind) => {
    test('lists every entry and extracts each, byte for byte', async () => {
      await withFile(targets.get(kind), 'archive.zip', async (file) => {
        const zip = await openZip(file, { lazyEntries: true });
        const seen: Record<string, Buffer> = {};
        const methods: Record<string, number> = {};
        for await (const entry of zip.eachEntry()) {
          if (entry.fileName.endsWith('/')) continue;
          methods[entry.fileName] = entry.compressionMethod;
          seen[entry.fileName] = await collect(await zip.openReadStreamPromise(entry));
        }
        zip.close();
        expect(Object.keys(seen).sort()).toEqual(Object.keys(contents).sort());
        for (const [name, data] of Object.entries(contents)) expect(seen[name]!.equals(data)).toBe(true);
        expect(methods['hello.txt']).toBe(8); // deflate
        expect(methods['data.bin']).toBe(0); // stored: its bytes come straight from the reads
      });
    });
  });

  test("a file that is not a ZIP is rejected with yauzl's message", async () => {
    await withFile(targets.get('local file'), 'not-a.zip', async (file) => {
      await expect(openZip(file)).rejects.toThrow(/end of central directory record signature not found/i);
    });
  });

  test('an archive cut short under the reader fails the entry with ERR_UNEXPECTED_EOF', async () => {
    const path = join(targets.dir, 'cut.zip');
    await writeFile(path, await readFile(join(targets.dir, 'archive.zip')));
    await withFile(targets.get('local file'), 'cut.zip', async (file) => {
      // autoClose off: yauzl would close the reader once every entry is listed.
      const zip = await openZip(file, { lazyEntries: true, autoClose: false });
      const entries = [];
      for await (const entry of zip.eachEntry()) entries.push(entry);
      await truncate(path, 100);
      const big = entries.find((entry) => entry.fileName.endsWith('data.bin'))!;
      await expect(collect(await zip.openReadStreamPromise(big))).rejects.toMatchObject({ code: 'ERR_UNEXPECTED_EOF' });
      zip.close();
    });
  });

  test('without metadata() or byteLength: ERR_INVALID_ARG_TYPE', async () => {
    await withFile(targets.get('local file'), 'archive.zip', async (file) => {
      await expect(openZip({ sendIo: file.sendIo.bind(file) })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    });
  });
});
