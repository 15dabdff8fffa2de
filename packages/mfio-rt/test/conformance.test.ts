import { NativeRt, VirtFs } from '../src/index.js';
import { conformanceSuite, tempDirTarget } from '../src/conformance/index.js';

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
