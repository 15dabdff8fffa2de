import { NativeRt, VirtFs } from '../src/index.js';
import { currentHost, hostTitle } from '../src/backends/host.js';
import { conformanceSuite, tempDirTarget, type ConformanceOptions } from '@mfio/rt-conformance';

/**
 * What the platform (or the emulator running the suite) cannot do, for backend `name`, each with
 * the reason. Empty on Linux. On Windows: the case that assumes Unix permissions, and under Wine
 * (scripts/test-wine.mjs sets MFIO_WINE to `wine --version`) what Wine lacks.
 */
function platformOptions(name: string): ConformanceOptions {
  if (process.platform !== 'win32') return hostOptions(name);
  const skip: Record<string, string> = {
    'setPermissions: the mode and the read-only flag show in metadata; ENOENT':
      'Windows keeps no Unix mode bits, only the read-only attribute: a 0o600 file reads back 0o666',
  };
  const wine = process.env.MFIO_WINE;
  if (!wine) return { skip };
  if (name === 'iocp') {
    skip['a reset that arrives before the first read fails that read with ECONNRESET, not end of stream'] =
      `${wine}: an overlapped WSARecv after the peer's reset returns the bytes sent before it and then 0 (end of stream), ` +
      'not WSAECONNRESET; not yet checked on real Windows';
  }
  // wineserver takes a peer's FIN (its recv(MSG_PEEK) reads 0) for a hang-up and ends every
  // request pending on the socket with the socket's error, which is none: a send still waiting
  // for the peer completes as a success with part of it sent. Windows completes an overlapped
  // send only once the transport took all of it, so libuv does not look at the count.
  const halfClose = `${wine}: a send still waiting when the peer half-closes completes at the FIN with part of it sent`;
  return {
    skip,
    symlinks: `${wine}: fs.symlink reports success but makes no link (lstat says ENOENT), and junctions are ENOTSUP`,
    halfClose,
    // iocp gets the short count and sends the rest; node:net reports the write done, no count.
    ...(name === 'libuv'
      ? { knownFailing: { 'a write still waiting for the peer when it half-closes goes out in full': `${halfClose}, and node:net reports it done` } }
      : {}),
  };
}

/** Direct I/O runs on every backend the builder makes; procfs is what refuses it on Linux. */
function directOptions(name: string): ConformanceOptions['direct'] {
  const qemu = process.env.MFIO_QEMU;
  // The thread pool's statx is a syscall qemu translates; io_uring's runs in the host kernel.
  if (qemu && name === 'threadpool') {
    return {
      unavailable: `${qemu}: its statx keeps the STATX_DIOALIGN bit but not the alignment fields (0/0, the kernel's "no direct I/O"), so every direct open is refused`,
    };
  }
  return {
    refusedPath:
      process.platform === 'linux' ? '/proc/self/status' : { unavailable: `no filesystem that refuses unbuffered I/O is known on ${process.platform}` },
  };
}

/**
 * What the host's Node compatibility layer does differently, for the libuv backend (node:fs and
 * node:net are the host's there), found by running the suite under it (scripts/test-hosts.mjs).
 * Known failures, not skips: a host release that fixes one fails the run until it is removed.
 */
function hostOptions(name: string): ConformanceOptions {
  const host = currentHost();
  if (host.name !== 'deno' || name !== 'libuv') return {};
  const deno = hostTitle(host);
  return {
    knownFailing: {
      'removeFile: removes; ENOENT; EISDIR on a directory': `${deno}'s node:fs unlink removes an empty directory instead of failing with EISDIR`,
      'a write still waiting for the peer when it half-closes goes out in full': `${deno}'s node:net fails a write still waiting for the peer with EPIPE once the peer half-closes`,
    },
  };
}

// Every backend the builder knows: the available ones run the suite, the others show up as
// skipped "unavailable: <reason>" cases.
for (const result of NativeRt.builder().enableAll().buildEach()) {
  if (result.rt === undefined) {
    conformanceSuite({ name: result.name, unavailable: result.error.message });
    continue;
  }
  void result.rt.close(); // only probed here; each run builds its own in a temporary directory
  const name = result.name;
  conformanceSuite(
    tempDirTarget(name, (cwd) => {
      const rt = NativeRt.builder().enable(name).cwd(cwd).build();
      return { fs: rt, tcp: rt, close: () => rt.close() };
    }),
    { ...platformOptions(name), direct: directOptions(name) },
  );
}

conformanceSuite(
  {
    name: 'virt',
    setup: async () => {
      const fs = new VirtFs({ cwd: '/work' });
      return { fs, close: () => fs.close() };
    },
  },
  { tcp: 'VirtFs is a filesystem only', symlinks: 'VirtFs has no symlinks' },
);
