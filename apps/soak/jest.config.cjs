// The shared setup (../../jest.preset.cjs). The CLI test runs the built soak (dist/, built by
// turbo before `test`) in a child process; the unit tests import pure sources directly.
module.exports = require('../../jest.preset.cjs')({ testTimeout: 120000 });
