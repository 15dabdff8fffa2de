// The test files jest runs on Linux, bundled with esbuild into one CommonJS file beside the small
// runner of the jest calls they use (test/wine/), for a Node that cannot run jest itself: Node's
// Windows build under Wine (test-wine.mjs), Node's arm64 build under qemu-user (test-arm64.mjs).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from './package-root.mjs';
import { run } from './system-tools.mjs';

/**
 * Build @mfio/core and @mfio/rt (the loop tests' child processes import @mfio/rt), then bundle
 * the suite into `outfile`. `hostPath` turns a path here into the one the foreign Node sees.
 */
export async function bundleSuite(outfile, hostPath = (path) => path) {
  const require = createRequire(join(packageRoot, 'package.json'));
  const tsc = require.resolve('typescript/bin/tsc');
  for (const pkg of ['mfio', 'mfio-rt']) run(process.execPath, [tsc, '-p', join(packageRoot, '..', pkg, 'tsconfig.build.json')]);
  const esbuild = await import(require.resolve('esbuild'));
  await esbuild.build({
    entryPoints: [join(packageRoot, 'test', 'wine', 'run-tests.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    plugins: [
      {
        // As jest.config.cjs maps them: the core and the conformance suite from their sources,
        // and the CommonJS addon-location (the bundle sits two levels below the package root, as
        // test/support/ does).
        name: 'jest-mappings',
        setup(build) {
          build.onResolve({ filter: /^@mfio\/core$/ }, () => ({ path: join(packageRoot, '..', 'mfio', 'src', 'index.ts') }));
          build.onResolve({ filter: /^@mfio\/rt-conformance$/ }, () => ({ path: join(packageRoot, '..', 'mfio-rt-conformance', 'src', 'index.ts') }));
          build.onResolve({ filter: /(^|\/)addon-location\.js$/ }, () => ({ path: join(packageRoot, 'test', 'support', 'addon-location.ts') }));
          // jest runs each test file as CommonJS where it lies; in the bundle each keeps its own
          // __dirname (as the foreign Node sees it), for the fixtures and the package root it finds there.
          build.onLoad({ filter: /\/test\/.*\.ts$/ }, (args) => {
            const source = readFileSync(args.path, 'utf8');
            if (!source.includes('__dirname')) return undefined;
            return { contents: `const __dirname = ${JSON.stringify(hostPath(dirname(args.path)))};\n${source}`, loader: 'ts' };
          });
        },
      },
    ],
  });
  return outfile;
}
