import type { Fs } from '@mfio/rt';

/** Create (or truncate) `name` on `fs` and write `content` to it, in 256 KiB writes. */
export async function createFileOn(fs: Fs, name: string, content: Uint8Array): Promise<void> {
  const file = await fs.open(name, { read: true, write: true, create: true, truncate: true });
  try {
    for (let at = 0; at < content.length; at += 256 << 10) {
      await file.writeAllAt(at, content.subarray(at, Math.min(content.length, at + (256 << 10))));
    }
  } finally {
    await file.close();
  }
}
