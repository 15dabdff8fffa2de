// The shared setup (../../jest.preset.cjs).
module.exports = require('../../jest.preset.cjs')({ testTimeout: 30000 });
