/**
 * Read a Parquet file's metadata and one column with hyparquet, through
 * @mfio/adapters/hyparquet: the same code on a local file and on netfs.
 *
 *   pnpm -F @mfio/adapters example:hyparquet                       # a generated demo file
 *   pnpm -F @mfio/adapters example:hyparquet <file.parquet> <column>
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFrom } from '../src/hyparquet.js';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { onLocalAndNetfs } from './local-and-netfs.js';

async function main(): Promise<void> {
  let [path, column] = process.argv.slice(2);
  const demo = path === undefined ? await mkdtemp(join(tmpdir(), 'mfio-example-')) : null;
  try {
    if (demo !== null) {
      path = join(demo, 'cities.parquet');
      column = 'city';
      const parquet = parquetWriteBuffer({
        columnData: [
          { name: 'city', data: ['Lisbon', 'Oslo', 'Quito', 'Nairobi'], type: 'STRING' },
          { name: 'population', data: Int32Array.of(545_000, 709_000, 2_800_000, 4_400_000), type: 'INT32' },
        ],
      });
      await writeFile(path, Buffer.from(parquet));
    }
    await onLocalAndNetfs(path!, async (file, where) => {
      const buffer = await asyncBufferFrom(file);
      const metadata = await parquetMetadataAsync(buffer);
      const columns = metadata.schema.slice(1).map((element) => element.name);
      const rows = await parquetReadObjects({ file: buffer, metadata, columns: [column ?? columns[0]!] });
      console.log(`${where}: ${metadata.num_rows} rows, columns ${columns.join(', ')}`);
      console.log(`${where}: ${column}: ${rows.map((row) => String(row[column!])).join(', ')}`);
    });
  } finally {
    if (demo !== null) await rm(demo, { recursive: true, force: true });
  }
}

await main();
