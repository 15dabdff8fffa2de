// The shared setup (../../jest.preset.cjs). The suite itself runs in the packages that test an
// Fs (@mfio/rt, @mfio/netfs); this package's own tests check what it publishes.
module.exports = require('../../jest.preset.cjs')({ testTimeout: 600_000 });
