import { NativeRt, VirtFs } from '../src/index.js';
import { conformanceSuite, tempDirTarget, type ConformanceOptions } from '../src/conformance/index.js';

/**
 * What the platform (or the emulator running the suite) cannot do, per backend, each with the
 * reason. Empty on Linux. On Windows: the cases that assume Unix permissions, the libuv
 * backend's error codes that differ from Linux's (the iocp backend maps them), and under Wine
 * (scripts/test-wine.mjs sets MFIO_WINE to `wine --version`) what Wine lacks.
 */
function platformOptions(backend: string): ConformanceOptions {
  if (process.platform !== 'win32') return {};
  const skip: Record<string, string> = {
    'setPermissions: the mode and the read-only flag show in metadata; ENOENT':
      'Windows keeps no Unix mode bits, only the read-only attribute: a 0o600 file reads back 0o666',
  };
  const knownFailing: Record<string, string> =
    backend === 'libuv'
      ? Object.fromEntries(
          [
            'open: a directory fails with EISDIR, a path through a file with ENOTDIR',
            'createDir: creates; EEXIST; ENOENT without a parent; ENOTDIR under a file',
            'removeDir: removes an empty directory; ENOTEMPTY; ENOENT; ENOTDIR on a file',
            'removeFile: removes; ENOENT; EISDIR on a directory',
            'rename: moves files and trees and replaces a file; ENOENT; EINVAL; EISDIR; ENOTDIR; ENOTEMPTY',
            'metadata: type and length of files and directories; ENOENT; ENOTDIR through a file',
          ].map((name) => [name, 'libuv on Windows says ENOENT where Linux says ENOTDIR, and EPERM where it says EISDIR']),
        )
      : {};
  const wine = process.env.MFIO_WINE;
  return {
    skip,
    knownFailing,
    ...(wine
      ? { symlinks: `${wine}: fs.symlink reports success but makes no link (lstat says ENOENT), and junctions are ENOTSUP` }
      : {}),
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
