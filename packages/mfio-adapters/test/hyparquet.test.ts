import { writeFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryFile } from '@mfio/core';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { asyncBufferFrom } from '../src/hyparquet.js';
import { describeEachTarget, startTargets, withFile, type Targets } from './support/targets.js';

const ROWS = 3000;
const ids = Int32Array.from({ length: ROWS }, (_, i) => i * 7);
const names = Array.from({ length: ROWS }, (_, i) => `name-${i}`);
const scores = Float64Array.from({ length: ROWS }, (_, i) => i / 4);

/** A Parquet file written by hyparquet-writer: three columns, three row groups. */
function parquetFixture(): Buffer {
  const data = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: ids, type: 'INT32' },
      { name: 'name', data: names, type: 'STRING' },
      { name: 'score', data: scores, type: 'DOUBLE' },
    ],
    rowGroupSize: 1000,
  });
  return Buffer.from(data);
}

describe('@mfio/adapters/hyparquet', () => {
  let targets: Targets;
  let fixture: Buffer;
  beforeAll(async () => {
    targets = await startTargets();
    fixture = parquetFixture();
    await targets.put('table.parquet', fixture);
  });
  afterAll(() => targets?.close());

  describeEachTarget((kind) => {
    test('reads the metadata: row count, row groups, schema', async () => {
      await withFile(targets.get(kind), 'table.parquet', async (file) => {
        const buffer = await asyncBufferFrom(file);
        expect(buffer.byteLength).toBe(fixture.length);
        const metadata = await parquetMetadataAsync(buffer);
        expect(Number(metadata.num_rows)).toBe(ROWS);
        expect(metadata.row_groups).toHaveLength(3);
        expect(metadata.schema.slice(1).map((element) => element.name)).toEqual(['id', 'name', 'score']);
      });
    });

    test('reads one column across every row group, and a row range of two', async () => {
      await withFile(targets.get(kind), 'table.parquet', async (file) => {
        const buffer = await asyncBufferFrom(file);
        const rows = await parquetReadObjects({ file: buffer, columns: ['name'] });
        expect(rows.map((row) => row.name as string)).toEqual(names);
        const window = await parquetReadObjects({ file: buffer, columns: ['id', 'score'], rowStart: 990, rowEnd: 1010 });
        expect(window).toEqual(Array.from({ length: 20 }, (_, i) => ({ id: ids[990 + i], score: scores[990 + i] })));
      });
    });

    test('slices are exact copies of the file, with end defaulting to the size', async () => {
      await withFile(targets.get(kind), 'table.parquet', async (file) => {
        const buffer = await asyncBufferFrom(file);
        const [a, b, tail] = await Promise.all([buffer.slice(0, 4), buffer.slice(100, 1100), buffer.slice(fixture.length - 8)]);
        expect(Buffer.from(a)).toEqual(fixture.subarray(0, 4));
        expect(Buffer.from(a).toString()).toBe('PAR1');
        expect(Buffer.from(b)).toEqual(fixture.subarray(100, 1100));
        expect(Buffer.from(tail)).toEqual(fixture.subarray(fixture.length - 8));
        expect((await buffer.slice(5, 5)).byteLength).toBe(0);
      });
    });
  });

  test('a slice outside the file, or reversed, is ERR_OUT_OF_RANGE', async () => {
    const buffer = await asyncBufferFrom(new MemoryFile(fixture), { byteLength: fixture.length });
    await expect(buffer.slice(0, fixture.length + 1)).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(buffer.slice(-1, 4)).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(buffer.slice(10, 4)).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(buffer.slice(0.5, 4)).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
  });

  test('a file that shrank under the buffer is ERR_UNEXPECTED_EOF, not a short slice', async () => {
    const path = join(targets.dir, 'shrinks.parquet');
    await writeFile(path, fixture);
    await withFile(targets.get('local file'), 'shrinks.parquet', async (file) => {
      const buffer = await asyncBufferFrom(file);
      await truncate(path, 100);
      await expect(buffer.slice(50, 150)).rejects.toMatchObject({ code: 'ERR_UNEXPECTED_EOF', bytesTransferred: 50 });
    });
  });

  test('byteLength: given, it is used; without it and without metadata(), ERR_INVALID_ARG_TYPE', async () => {
    const file = new MemoryFile(fixture);
    const plain = { sendIo: file.sendIo.bind(file) };
    await expect(asyncBufferFrom(plain)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    const buffer = await asyncBufferFrom(plain, { byteLength: fixture.length });
    expect(Number((await parquetMetadataAsync(buffer)).num_rows)).toBe(ROWS);
    await expect(asyncBufferFrom(plain, { byteLength: -1 })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(asyncBufferFrom({} as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });
});
