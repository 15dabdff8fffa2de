// The glibc symbol versions a Linux binary needs, read from its dynamic symbol table with
// objdump -T (the host's objdump reads every ELF architecture it was built for; Debian's binutils
// reads x86-64 only, so arm64 binaries use aarch64-linux-gnu-objdump).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** e.g. ['GLIBC_2.34', 'GLIBC_2.17'], the newest first. */
export function glibcVersions(binary) {
  // e_machine (offset 18, little-endian): 0xb7 is AArch64.
  const machine = readFileSync(binary).readUInt16LE(18);
  const objdump = machine === 0xb7 ? 'aarch64-linux-gnu-objdump' : 'objdump';
  const out = spawnSync(objdump, ['-T', binary], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`${objdump} -T ${binary} failed: ${out.stderr || out.error?.message}`);
  const versions = new Set(out.stdout.match(/GLIBC_\d+(\.\d+)*/g) ?? []);
  const key = (v) => v.slice('GLIBC_'.length).split('.').map(Number);
  return [...versions].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (y[i] ?? 0) - (x[i] ?? 0);
    return 0;
  });
}
