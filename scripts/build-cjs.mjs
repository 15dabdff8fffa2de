// The CommonJS build of a package, for `require('@mfio/…')`: run from the package's folder after
// `tsc -p tsconfig.build.json` has written the ES module build and its types to dist/.
//
// Every src/**/*.ts (tests excluded) is transformed file by file by esbuild into dist/cjs/ (the
// same layout, so relative requires find their files), with a package.json there saying
// "type": "commonjs"; the types tsc wrote are copied beside them, so a CommonJS TypeScript
// consumer reads them as CommonJS declarations. esbuild, not a second tsc: `import.meta.url`
// (how @mfio/rt finds its addon) has no CommonJS form, and esbuild can define it as the file's
// URL; tsc would leave it in and the file would not parse. Type checking is tsc's job already.
import { mkdir, readdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const require = createRequire(import.meta.url);
const esbuild = require('esbuild');

const root = process.cwd();
const src = join(root, 'src');
const dist = join(root, 'dist');
const out = join(dist, 'cjs');

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath ?? entry.path, entry.name)));
}

// Defined only where a file uses it: the URL of the CommonJS file itself, as import.meta.url
// is of the ES module one.
const IMPORT_META_URL = '__mfioImportMetaUrl';
const IMPORT_META_BANNER = `const ${IMPORT_META_URL} = require('node:url').pathToFileURL(__filename).href;`;

await rm(out, { recursive: true, force: true });
const sources = (await filesUnder(src)).filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.test.ts'));
for (const file of sources) {
  const code = await readFile(join(src, file), 'utf8');
  const usesImportMeta = code.includes('import.meta');
  const result = await esbuild.transform(code, {
    loader: 'ts',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcefile: join(src, file),
    sourcemap: 'inline',
    ...(usesImportMeta ? { define: { 'import.meta.url': IMPORT_META_URL }, banner: IMPORT_META_BANNER } : {}),
  });
  if (usesImportMeta && result.code.includes('import.meta')) throw new Error(`${file}: import.meta other than import.meta.url has no CommonJS form`);
  const target = join(out, file.replace(/\.ts$/, '.js'));
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, result.code);
}
for (const file of await filesUnder(dist)) {
  if (file.startsWith('cjs/') || !file.endsWith('.d.ts')) continue;
  await mkdir(dirname(join(out, file)), { recursive: true });
  await copyFile(join(dist, file), join(out, file));
}
await writeFile(join(out, 'package.json'), JSON.stringify({ type: 'commonjs' }, null, 2) + '\n');
