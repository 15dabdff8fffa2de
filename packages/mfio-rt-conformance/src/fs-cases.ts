import { SeededRandom } from '@mfio/core';
import type { SuiteContext } from './context.js';
import { allDirs, largeByte, listing, type Fixture } from './fixture.js';
import { concurrent, sameBytes, sequential } from './helpers.js';

/** Write the fixture through the API under test, as mfio's `build_in_fs`. */
export async function writeFixtureThroughApi(ctx: SuiteContext, dir: string, fixture: Fixture): Promise<void> {
  const cwd = ctx.fs.currentDir();
  for (const d of fixture.dirs) await cwd.createDirAll(`${dir}/${d}`);
  for (const { path, data } of fixture.files) {
    const slash = path.lastIndexOf('/');
    await cwd.createDirAll(slash > 0 ? `${dir}/${path.slice(0, slash)}` : dir);
    const file = await cwd.openFile(`${dir}/${path}`, { write: true, createNew: true });
    await file.writeAllAt(0, data);
    await file.close();
  }
}

/** Reading the fixture back: mfio's files_equal, files_equal_rel, dirs_equal and walk_dirs. */
function filesEqual(ctx: SuiteContext): Array<() => Promise<void>> {
  return ctx.fixture.files.map(({ path, data }) => async () => {
    const file = await ctx.fs.open(ctx.absolute(path));
    try {
      sameBytes(await file.readToEnd(), data, `${path} (absolute open)`);
    } finally {
      await file.close();
    }
  });
}

function filesEqualRel(ctx: SuiteContext): Array<() => Promise<void>> {
  return ctx.fixture.files.map(({ path, data }) => async () => {
    const slash = path.lastIndexOf('/');
    const dir = await ctx.fs.currentDir().openDir(slash > 0 ? `${ctx.fixtureDir}/${path.slice(0, slash)}` : ctx.fixtureDir);
    const file = await dir.openFile(path.slice(slash + 1));
    try {
      sameBytes(await file.readToEnd(), data, `${path} (open relative to its directory)`);
    } finally {
      await file.close();
      await dir.close();
    }
  });
}

function dirsEqual(ctx: SuiteContext): Array<() => Promise<void>> {
  return allDirs(ctx.fixture).map((d) => async () => {
    const dir = await ctx.fs.currentDir().openDir(ctx.absolute(d));
    const names: string[] = [];
    for await (const entry of dir.readDir()) names.push(entry.name);
    expect({ dir: d, names: names.sort() }).toEqual({ dir: d, names: listing(ctx.fixture, d) });
  });
}

function walkDirs(ctx: SuiteContext): Array<() => Promise<void>> {
  const dirs = allDirs(ctx.fixture);
  const paths = ctx.paths;
  const native = (d: string): string =>
    d
      .split('/')
      .filter((p) => p !== '')
      .join(paths.sep);
  return dirs.flatMap((d1) =>
    dirs.map((d2) => async () => {
      const cwd = ctx.fs.currentDir();
      const [h1, h2] = await Promise.all([cwd.openDir(ctx.absolute(d1)), cwd.openDir(ctx.absolute(d2))]);
      const expected = paths.relative(paths.resolve('/r', native(d2)), paths.resolve('/r', native(d1)));
      expect(paths.relative(h2.path(), h1.path())).toBe(expected);
      // And the path a handle reports opens the same directory again.
      const again = await cwd.openDir(h1.path());
      expect(again.path()).toBe(h1.path());
    }),
  );
}

function writesEqual(ctx: SuiteContext, target: string, relative: boolean): Array<() => Promise<void>> {
  return ctx.fixture.files.map(({ path, data }) => async () => {
    const cwd = ctx.fs.currentDir();
    const full = `${target}/${path}`;
    const slash = full.lastIndexOf('/');
    await cwd.createDirAll(full.slice(0, slash));
    const dir = relative ? await cwd.openDir(full.slice(0, slash)) : cwd;
    const name = relative ? full.slice(slash + 1) : full;
    const out = await dir.openFile(name, { write: true, create: true });
    await out.writeAllAt(0, data);
    await out.close();
    const back = await dir.openFile(name);
    try {
      sameBytes(await back.readToEnd(), data, `${full} written through the API`);
      expect((await back.metadata()).len).toBe(data.length);
    } finally {
      await back.close();
    }
  });
}

/** Registers the fixture cases. */
export function fsCases(ctx: SuiteContext): void {
  describe('fixture tree', () => {
    ctx.test('files read back equal through absolute paths', () => sequential(filesEqual(ctx)));
    ctx.test('files read back equal through directory handles', () => sequential(filesEqualRel(ctx)));
    ctx.test('readDir of every directory lists exactly the expected entries', () => sequential(dirsEqual(ctx)));
    ctx.test('readDir reports entry types', async () => {
      const types: Record<string, string> = {};
      for await (const entry of (await ctx.fs.currentDir().openDir(ctx.fixtureDir)).readDir()) types[entry.name] = entry.type;
      expect(types).toMatchObject({ 'package.json': 'file', 'empty.txt': 'file', src: 'dir', p1: 'dir' });
    });
    ctx.test('path() of a handle round-trips through openDir, and relative paths between handles agree', () => sequential(walkDirs(ctx)));
    ctx.test('all the reads above, concurrently', () => concurrent([...filesEqual(ctx), ...filesEqualRel(ctx), ...dirsEqual(ctx), ...walkDirs(ctx)], 64));
    ctx.test('random reads of the large files follow the formula', async () => {
      const random = new SeededRandom(7);
      const large = ctx.fixture.files.filter((f) => f.path.startsWith('large/'));
      if (large.length === 0) throw new Error('the fixture has no large file (MFIO_TEST_LARGE_FILES=0?)');
      for (const { path, data } of large) {
        const index = Number(path.slice('large/'.length));
        const file = await ctx.fs.open(ctx.absolute(path));
        const requests: Array<[number, number]> = [];
        for (let i = 0; i < 256; i++) {
          const position = random.int(data.length);
          requests.push([position, Math.min(random.range(1, 4096), data.length - position)]);
        }
        const result = await file.readMany(requests);
        requests.forEach(([position, length], i) => {
          const got = result.at(i);
          sameBytes(got, data.subarray(position, position + length), `${path} at ${position}`);
          // The fixture itself follows the formula, byte by byte.
          if (got.length > 0 && got[0] !== largeByte(index, position)) throw new Error(`${path}: byte ${position} is off the formula`);
        });
        await file.close();
      }
    });
    ctx.test('the fixture written through the API reads back equal (absolute paths)', async () => {
      await sequential(writesEqual(ctx, 'writes-abs', false));
      await ctx.fs.currentDir().removeDirAll('writes-abs');
    });
    ctx.test('the fixture written through the API reads back equal (directory handles)', async () => {
      await sequential(writesEqual(ctx, 'writes-rel', true));
      await ctx.fs.currentDir().removeDirAll('writes-rel');
    });
    ctx.test('both writes, concurrently', async () => {
      await concurrent([...writesEqual(ctx, 'writes-con-abs', false), ...writesEqual(ctx, 'writes-con-rel', true)], 16);
      await ctx.fs.currentDir().removeDirAll('writes-con-abs');
      await ctx.fs.currentDir().removeDirAll('writes-con-rel');
    });
  });
}
