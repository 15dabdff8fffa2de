import type { DirHandle } from '@mfio/rt';
import type { SuiteContext } from './context.js';

async function entries(dir: DirHandle): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const entry of dir.readDir()) out[entry.name] = entry.type;
  return out;
}

/** A symlink made outside the API in a fresh scratch directory: `link` → `real` (a directory). */
async function withLink(ctx: SuiteContext): Promise<DirHandle> {
  const dir = await ctx.scratch();
  await dir.createDirAll('real/inner');
  const file = await dir.openFile('real/inner/x', { write: true, createNew: true });
  await file.writeAllAt(0, 'X');
  await file.close();
  const relative = ctx.paths.relative(ctx.fs.currentDir().path(), dir.path());
  const subject = ctx.subject;
  if (!subject.symlink) throw new Error("The subject has no symlink(): pass { symlinks: 'reason' } to skip the symlink cases");
  await subject.symlink(ctx.paths.join(dir.path(), 'real'), ctx.paths.join(relative, 'link'));
  return dir;
}

/** Registers the cases on symbolic links (made outside the API); `support`: true or why not. */
export function symlinkCases(ctx: SuiteContext, support: true | string): void {
  describe('symlinks', () => {
    const cases: Array<[string, () => Promise<void>]> = [
      [
        "readDir reports a symlink as 'symlink', not as what it points to",
        async () => {
          const dir = await withLink(ctx);
          expect(await entries(dir)).toEqual({ real: 'dir', link: 'symlink' });
          expect((await dir.metadata('link')).type).toBe('dir'); // metadata follows it
        },
      ],
      [
        'removeDirAll on a symlink to a directory removes the link only, as Rust does',
        async () => {
          const dir = await withLink(ctx);
          await dir.removeDirAll('link');
          expect(await entries(dir)).toEqual({ real: 'dir' });
          expect((await dir.metadata('real/inner/x')).len).toBe(1);
        },
      ],
    ];
    for (const [name, body] of cases) {
      if (support === true) ctx.test(name, body);
      else test.skip(`${name} (unavailable: ${support})`, body);
    }
  });
}
