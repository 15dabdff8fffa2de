import { closeSync, openSync, readSync } from 'node:fs';
import { ReadDigest } from './checksum.js';
import { positions, type CaseSpec } from './plan.js';

/** Node's synchronous reads of iteration 0: the digest every contender must reproduce. */
export function referenceDigest(spec: CaseSpec): number {
  const fd = openSync(spec.file, 'r');
  const buffer = Buffer.allocUnsafe(spec.size);
  const digest = new ReadDigest();
  positions(spec, spec.reads, 0).forEach((position, i) => digest.add(i, buffer, readSync(fd, buffer, 0, spec.size, position)));
  closeSync(fd);
  return digest.value;
}
