import type { Resources } from '../lifecycle/resources.js';
import type { DirEntry } from './types.js';

/**
 * A driver's directory listing as the public iteration: tracked by the runtime while it is
 * open (a libuv `Dir` holds a file descriptor until the iteration ends, and an abandoned
 * iteration never ends), closed by the runtime's close, and `check`ed before every entry so
 * an iteration outliving its handle or runtime fails with EBADF instead of reading on.
 */
export async function* trackedEntries(entries: AsyncIterable<DirEntry>, resources: Resources, check: () => void): AsyncGenerator<DirEntry> {
  check();
  const inner = entries[Symbol.asyncIterator]();
  const release = async (): Promise<void> => {
    await inner.return?.();
  };
  const resource = { shut: () => release().catch(() => undefined) };
  resources.add(resource);
  try {
    for (;;) {
      const next = await inner.next();
      check();
      if (next.done === true) return;
      yield next.value;
    }
  } finally {
    resources.delete(resource);
    await release();
  }
}
