import { NativeRt, VirtFs } from '../src/index.js';
import { conformanceSuite, tempDirTarget, type ConformanceOptions } from '@mfio/rt-conformance';

/**
 * What the platform (or the emulator running the suite) cannot do, for every backend, each with the
 * reason. Empty on Linux. On Windows: the case that assumes Unix permissions, and under Wine
 * (scripts/test-wine.mjs sets MFIO_WINE to `wine --version`) what Wine lacks.
 */
function platformOptions(backend: string): ConformanceOptions {
  if (process.platform !== 'win32') return {};
  const skip: Record<string, string> = {
    'setPermissions: the mode and the read-only flag show in metadata; ENOENT':
      'Windows keeps no Unix mode bits, only the read-only attribute: a 0o600 file reads back 0o666',
  };
  const wine = process.env.MFIO_WINE;
  if (wine && backend === 'iocp') {
    skip['a reset that arrives before the first read fails that read with ECONNRESET, not end of stream'] =
      `${wine}: an overlapped WSARecv after the peer's reset returns the bytes sent before it and then 0 (end of stream), ` +
      'not WSAECONNRESET; not yet checked on real Windows';
  }
  return {
    skip,
    ...(wine ? { symlinks: `${wine}: fs.symlink reports success but makes no link (lstat says ENOENT), and junctions are ENOTSUP` } : {}),
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
    platformOptions(name),
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
