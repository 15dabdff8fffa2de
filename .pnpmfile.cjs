// pnpm hooks for this workspace.
const fs = require('node:fs');
const path = require('node:path');

module.exports = {
  hooks: {
    /**
     * What `pnpm pack` and `pnpm publish` put in a tarball's package.json. Every script here
     * builds, tests or runs examples from the repository (tsc, jest, the cross-builds), and the
     * tarballs ship none of that, so the published manifests carry no scripts: above all no
     * install hook, so no package manager builds or warns on install. The devDependencies go too:
     * no user installs them.
     */
    beforePacking(pkg, dir) {
      // A platform package (packages/mfio-rt/npm/<target>) exists for its one binary, which is
      // built, never committed: packed without it, it would publish an empty package that every
      // user of that platform installs and the loader then reports as broken.
      if (pkg.main === 'mfio_rt.node' && !fs.existsSync(path.join(dir, 'mfio_rt.node'))) {
        const target = path.basename(dir);
        throw new Error(`${pkg.name}: ${path.join(dir, 'mfio_rt.node')} is missing; build it first: pnpm -F @mfio/rt prebuild ${target}`);
      }
      delete pkg.scripts;
      delete pkg.devDependencies;
      return pkg;
    },
  },
};
