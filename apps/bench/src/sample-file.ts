import { existsSync, mkdirSync, openSync, closeSync, statSync, writeSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { SeededRandom } from '@mfio/core';

/**
 * The file every contender reads: `bytes` of seeded pseudo-random data, generated once (same
 * seed, same bytes on every machine) and reused while its size matches.
 */
export function ensureSampleFile(path: string, bytes: number, seed = 0x5eed): void {
  if (existsSync(path) && statSync(path).size === bytes) return;
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w');
  const random = new SeededRandom(seed);
  const chunk = 4 << 20;
  for (let written = 0; written < bytes; written += chunk) {
    const data = random.bytes(Math.min(chunk, bytes - written));
    writeSync(fd, data, 0, data.length, written);
  }
  closeSync(fd);
  renameSync(partial, path);
}
