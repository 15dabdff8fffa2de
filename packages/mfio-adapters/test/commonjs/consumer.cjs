// A CommonJS consumer of @mfio/adapters (run by node from commonjs.test.ts): require() of each
// subpath resolves to the CommonJS build. yauzl is CommonJS and is required too; hyparquet,
// hyparquet-writer and geotiff ship ES modules only and are loaded with import(), which CommonJS
// code can do on every Node 20. Each adapter reads a real file of an @mfio/rt runtime: a ZIP made
// with Info-ZIP's `zip`, a Parquet file written by hyparquet-writer, the GeoTIFF fixture.
// Prints one JSON line of findings.
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtemp, rm, writeFile } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { NativeRt } = require('@mfio/rt');
const { openZip } = require('@mfio/adapters/yauzl');
const { asyncBufferFrom } = require('@mfio/adapters/hyparquet');
const { geoTiffSource } = require('@mfio/adapters/geotiff');

async function zipEntries(rt, dir) {
  await writeFile(path.join(dir, 'greeting.txt'), 'hello from CommonJS\n');
  execFileSync('zip', ['-q', 'demo.zip', 'greeting.txt'], { cwd: dir });
  const file = await rt.open(path.join(dir, 'demo.zip'));
  try {
    const zip = await openZip(file, { lazyEntries: true });
    const entries = {};
    for await (const entry of zip.eachEntry()) {
      let text = '';
      for await (const part of await zip.openReadStreamPromise(entry)) text += String(part);
      entries[entry.fileName] = text;
    }
    zip.close();
    return entries;
  } finally {
    await file.close();
  }
}

async function parquetColumn(rt, dir) {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const { parquetReadObjects } = await import('hyparquet');
  const data = parquetWriteBuffer({ columnData: [{ name: 'city', data: ['Lisbon', 'Oslo', 'Quito'], type: 'STRING' }] });
  await writeFile(path.join(dir, 'cities.parquet'), Buffer.from(data));
  const file = await rt.open(path.join(dir, 'cities.parquet'));
  try {
    const rows = await parquetReadObjects({ file: await asyncBufferFrom(file), columns: ['city'] });
    return rows.map((row) => row.city);
  } finally {
    await file.close();
  }
}

async function tiffSize(rt) {
  const { GeoTIFF } = await import('geotiff');
  const file = await rt.open(path.join(__dirname, '..', 'fixtures', 'ramp-64x48-tiled.tif'));
  try {
    const image = await (await GeoTIFF.fromSource(await geoTiffSource(file))).getImage();
    const [window] = await image.readRasters({ window: [30, 23, 32, 24] });
    return { width: image.getWidth(), height: image.getHeight(), window: Array.from(window) };
  } finally {
    await file.close();
  }
}

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'mfio-adapters-cjs-'));
  const rt = NativeRt.builder().enableAll().build();
  try {
    const found = {
      resolved: ['yauzl', 'hyparquet', 'geotiff'].map((name) => require.resolve(`@mfio/adapters/${name}`)),
      zip: await zipEntries(rt, dir),
      parquet: await parquetColumn(rt, dir),
      tiff: await tiffSize(rt),
    };
    console.log(JSON.stringify(found));
  } finally {
    await rt.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
