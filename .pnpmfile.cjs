// pnpm hooks for this workspace.
module.exports = {
  hooks: {
    /**
     * What `pnpm pack` and `pnpm publish` put in a tarball's package.json. Every script here
     * builds, tests or runs examples from the repository (tsc, jest, the cross-builds), and the
     * tarballs ship none of that, so the published manifests carry no scripts: above all no
     * install hook, so no package manager builds or warns on install. The devDependencies go too:
     * no user installs them.
     */
    beforePacking(pkg) {
      delete pkg.scripts;
      delete pkg.devDependencies;
      return pkg;
    },
  },
};
