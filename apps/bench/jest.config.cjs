// The shared setup (../../jest.preset.cjs). The tests run the built CLI (dist/, built by turbo
// before `test`) in child processes, and import some sources directly.
module.exports = require('../../jest.preset.cjs')({ testTimeout: 120000 });
