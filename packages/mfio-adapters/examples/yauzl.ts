/**
 * List a ZIP file's entries and extract one with yauzl, through @mfio/adapters/yauzl: the same
 * code on a local file and on netfs. Only the central directory and the entry are read.
 *
 *   pnpm -F @mfio/adapters example:yauzl                        # a zip made with `zip` first
 *   pnpm -F @mfio/adapters example:yauzl <file.zip> <entry>
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openZip } from '../src/yauzl.js';
import { onLocalAndNetfs } from './local-and-netfs.js';

async function main(): Promise<void> {
  let [path, wanted] = process.argv.slice(2);
  const demo = path === undefined ? await mkdtemp(join(tmpdir(), 'mfio-example-')) : null;
  try {
    if (demo !== null) {
      await writeFile(join(demo, 'greeting.txt'), 'hello from inside a zip\n');
      await writeFile(join(demo, 'numbers.csv'), Array.from({ length: 1000 }, (_, i) => `${i},${i * i}`).join('\n'));
      path = join(demo, 'demo.zip');
      wanted = 'greeting.txt';
      execFileSync('zip', ['-q', path, 'greeting.txt', 'numbers.csv'], { cwd: demo });
    }
    await onLocalAndNetfs(path!, async (file, where) => {
      const zip = await openZip(file, { lazyEntries: true });
      const names: string[] = [];
      let text = '';
      for await (const entry of zip.eachEntry()) {
        names.push(`${entry.fileName} (${entry.uncompressedSize} bytes)`);
        if (entry.fileName === wanted) {
          for await (const part of await zip.openReadStreamPromise(entry)) text += String(part);
        }
      }
      zip.close();
      console.log(`${where}: ${names.join(', ')}`);
      if (wanted !== undefined) console.log(`${where}: ${wanted}: ${JSON.stringify(text)}`);
    });
  } finally {
    if (demo !== null) await rm(demo, { recursive: true, force: true });
  }
}

await main();
