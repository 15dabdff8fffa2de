import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PacketIo } from '@mfio/core';
import { GeoTIFF } from 'geotiff';
import { geoTiffSource } from '../src/geotiff.js';
import { describeEachTarget, startTargets, withFile, type Targets } from './support/targets.js';

// 64 x 48 pixels, uint16, value = y * 64 + x, in 16 x 16 tiles (12 tiles): written by geotiff's writer, retiled by libtiff's tiffcp (test/fixtures/README.md).
const FIXTURE = join(__dirname, 'fixtures', 'ramp-64x48-tiled.tif');
const WIDTH = 64;
const ramp = (x0: number, y0: number, x1: number, y1: number): number[] =>
  Array.from({ length: (x1 - x0) * (y1 - y0) }, (_, i) => (y0 + Math.floor(i / (x1 - x0))) * WIDTH + x0 + (i % (x1 - x0)));

describe('@mfio/adapters/geotiff', () => {
  let targets: Targets;
  beforeAll(async () => {
    targets = await startTargets();
    await targets.put('ramp.tif', await readFile(FIXTURE));
  });
  afterAll(() => targets?.close());

  describeEachTarget((kind) => {
    test('reads the image: size, tiling, sample format', async () => {
      await withFile(targets.get(kind), 'ramp.tif', async (file) => {
        const tiff = await GeoTIFF.fromSource(await geoTiffSource(file));
        expect(await tiff.getImageCount()).toBe(1);
        const image = await tiff.getImage();
        expect([image.getWidth(), image.getHeight(), image.getTileWidth(), image.getTileHeight()]).toEqual([64, 48, 16, 16]);
        expect([image.getSamplesPerPixel(), image.getBytesPerPixel(), image.getSampleFormat()]).toEqual([1, 2, 1]);
      });
    });

    test('reads a raster window across six tiles, and the whole raster', async () => {
      await withFile(targets.get(kind), 'ramp.tif', async (file) => {
        const image = await (await GeoTIFF.fromSource(await geoTiffSource(file))).getImage();
        const [window] = (await image.readRasters({ window: [8, 4, 40, 36] })) as unknown as Uint16Array[];
        expect(Array.from(window!)).toEqual(ramp(8, 4, 40, 36));
        const [all] = (await image.readRasters()) as unknown as Uint16Array[];
        expect(Array.from(all!)).toEqual(ramp(0, 0, 64, 48));
      });
    });
  });

  test("a window's tiles reach the backend together: fewer reads than tiles", async () => {
    await withFile(targets.get('local file'), 'ramp.tif', async (file) => {
      // The real file behind a PacketIo that only counts what reaches it.
      let sent = 0;
      const counted: PacketIo<number> = {
        sendIo: (position, view) => {
          sent++;
          file.sendIo(position, view);
        },
      };
      const image = await (await GeoTIFF.fromSource(await geoTiffSource(counted, { byteLength: (await file.metadata()).len }))).getImage();
      sent = 0;
      const [all] = (await image.readRasters()) as unknown as Uint16Array[];
      expect(Array.from(all!)).toEqual(ramp(0, 0, 64, 48));
      // tiffcp writes the 12 tiles back to back: one readMany merges them.
      expect(sent).toBeLessThan(12);
    });
  });

  test('a slice with a bad offset or length is ERR_OUT_OF_RANGE; an aborted fetch is ABORT_ERR', async () => {
    await withFile(targets.get('local file'), 'ramp.tif', async (file) => {
      const source = await geoTiffSource(file);
      expect(source.fileSize).toBe((await file.metadata()).len);
      await expect(source.fetch([{ offset: -1, length: 4 }])).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
      await expect(source.fetch([{ offset: 0, length: 1.5 }])).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
      await expect(source.fetch([{ offset: 0, length: 4 }], AbortSignal.abort())).rejects.toMatchObject({ code: 'ABORT_ERR' });
      const controller = new AbortController();
      const pending = source.fetch([{ offset: 0, length: 4 }], controller.signal);
      controller.abort();
      await expect(pending).rejects.toMatchObject({ code: 'ABORT_ERR' });
      // Past the end: short, as an HTTP range request answers.
      const [tail] = await source.fetch([{ offset: source.fileSize - 3, length: 1024 }]);
      expect(tail!.byteLength).toBe(3);
    });
  });
});
