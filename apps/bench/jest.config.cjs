// The shared setup (../../jest.preset.cjs). The tests run the built CLI (dist/, built by turbo
// before `test`) in child processes, and import some sources directly.
// A hook that runs the CLI may wait for its bound (test/cli.test.ts, 300 s) and must outlast it.
module.exports = require('../../jest.preset.cjs')({ testTimeout: 360000 });
