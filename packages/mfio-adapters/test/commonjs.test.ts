import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// `require('@mfio/adapters/<library>')` from a .cjs file run by node, on the built package
// (dist/cjs): each adapter reads a real local file with its library.
describe('a CommonJS consumer', () => {
  test('requires each adapter and reads a ZIP, a Parquet file and a GeoTIFF with it', async () => {
    const { stdout } = await run(process.execPath, [join(__dirname, 'commonjs', 'consumer.cjs')], { timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual({
      resolved: ['yauzl', 'hyparquet', 'geotiff'].map((name) => join(__dirname, '..', 'dist', 'cjs', `${name}.js`)),
      zip: { 'greeting.txt': 'hello from CommonJS\n' },
      parquet: ['Lisbon', 'Oslo', 'Quito'],
      tiff: { width: 64, height: 48, window: [1502, 1503] },
    });
  });
});
