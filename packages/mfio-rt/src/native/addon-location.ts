import { fileURLToPath } from 'node:url';

/**
 * The package's root folder, where the local build (build/Release) lives. The one place that knows where
 * the package is; tests (compiled to CommonJS) map this module to test/support/addon-location.ts.
 */
export const packageRoot: string = fileURLToPath(new URL('../..', import.meta.url));
