import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const tsx = join(__dirname, '..', 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');
const options = { cwd: join(__dirname, '..'), timeout: 60_000 };

// The README's commands, run as written (through tsx, as the package scripts do), so the
// examples cannot rot. Each reads its file as a local file and through a netfs server.
describe('examples', () => {
  test('hyparquet: the metadata and a column of a generated Parquet file, local and on netfs', async () => {
    const { stdout } = await run(tsx, ['examples/hyparquet.ts'], options);
    for (const where of ['local file', 'netfs file']) {
      expect(stdout).toMatch(new RegExp(`${where}.*: 4 rows, columns city, population`));
      expect(stdout).toMatch(new RegExp(`${where}.*: city: Lisbon, Oslo, Quito, Nairobi`));
    }
  });

  test('geotiff: a raster window across two tiles of the fixture, local and on netfs', async () => {
    const { stdout } = await run(tsx, ['examples/geotiff.ts'], options);
    for (const where of ['local file', 'netfs file']) {
      expect(stdout).toMatch(new RegExp(`${where}.*: 64 x 48, tiles 16 x 16`));
      expect(stdout).toMatch(new RegExp(`${where}.*: window 30,23,34,25: 1502 1503 1504 1505 1566 1567 1568 1569`));
    }
  });

  test('yauzl: the entries of a zip made with `zip`, and one extracted, local and on netfs', async () => {
    const { stdout } = await run(tsx, ['examples/yauzl.ts'], options);
    for (const where of ['local file', 'netfs file']) {
      expect(stdout).toMatch(new RegExp(`${where}.*: greeting.txt \\(24 bytes\\), numbers.csv \\(10426 bytes\\)`));
      expect(stdout).toMatch(new RegExp(`${where}.*: greeting.txt: "hello from inside a zip\\\\n"`));
    }
  });
});
