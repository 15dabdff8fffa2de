/**
 * Read a raster window of a GeoTIFF with geotiff, through @mfio/adapters/geotiff: the same code
 * on a local file and on netfs. The window's tiles reach the backend as one batch.
 *
 *   pnpm -F @mfio/adapters example:geotiff                  # the tiled test fixture
 *   pnpm -F @mfio/adapters example:geotiff <file.tif>
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { geoTiffSource } from '../src/geotiff.js';
import { GeoTIFF } from 'geotiff';
import { onLocalAndNetfs } from './local-and-netfs.js';

const fixture = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'test', 'fixtures', 'ramp-64x48-tiled.tif');
const path = process.argv[2] ?? fixture;

await onLocalAndNetfs(path, async (file, where) => {
  const tiff = await GeoTIFF.fromSource(await geoTiffSource(file));
  const image = await tiff.getImage();
  const [width, height] = [image.getWidth(), image.getHeight()];
  // The 4 x 2 pixels at the centre, first band.
  const window = [width / 2 - 2, height / 2 - 1, width / 2 + 2, height / 2 + 1].map(Math.floor);
  const [band] = (await image.readRasters({ window, samples: [0] })) as unknown as ArrayLike<number>[];
  console.log(`${where}: ${width} x ${height}, tiles ${image.getTileWidth()} x ${image.getTileHeight()}`);
  console.log(`${where}: window ${window.join(',')}: ${Array.from(band!).join(' ')}`);
});
