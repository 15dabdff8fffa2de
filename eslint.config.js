// ESLint over every package's and app's TypeScript and JavaScript (src, test, scripts, examples),
// with typescript-eslint's type-aware rules. Part of `pnpm lint`. Types that cross packages come
// from their dist/ builds, so run `pnpm build` first.
import eslint from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // Build output and generated results; ESLint reads no .gitignore.
  globalIgnores(['**/dist/', '**/build/', '**/build-*/', '**/coverage/', 'bench/', '**/.hosts/', 'docs/api/']),
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        // Each TypeScript file is checked with its package's tsconfig.json. The JavaScript files
        // (scripts, jest configs, test fixtures) are in no tsconfig: they get tsconfig.eslint.json.
        projectService: {
          allowDefaultProject: [
            '*.js',
            '*.cjs',
            'scripts/*.mjs',
            'packages/*/commands/*.mjs',
            '{packages,apps}/*/*.cjs',
            'packages/*/bin/*.js',
            'packages/*/scripts/*.mjs',
            'packages/*/scripts/*.cjs',
            'packages/*/test/fixtures/*.mjs',
            'packages/*/test/commonjs/*.cjs',
          ],
          defaultProject: 'tsconfig.eslint.json',
          // About 50 files now (the CommonJS consumers grow with the packages): room to spare.
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 64,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Both already errors in recommendedTypeChecked; named here because they must stay on.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Promise.all over `promise | undefined` (close only what is open) is deliberate.
      '@typescript-eslint/await-thenable': ['error', { allowMixedPromiseArrays: true }],
      // Forwarding a caught error or an AbortSignal's reason as is, as only-throw-error allows.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // Off: an async function without await is how an API turns its synchronous throws
      // (validation, a closed handle) into rejections, e.g. VirtFs's methods.
      '@typescript-eslint/require-await': 'off',
      // `_`-prefixed names and rest siblings are how the code says "deliberately unused".
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // A `let` read by a callback made before its one assignment avoids the TDZ on purpose.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Jest's asymmetric matchers (expect.objectContaining, expect.any, ...) are typed `any`.
    files: ['**/test/**/*.ts', 'packages/mfio-rt-conformance/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    // Plain JavaScript has no annotations to narrow JSON.parse, workerData or a dynamic import
    // with: the no-unsafe-* rules would flag every use. The promise rules still apply.
    files: ['**/*.{js,mjs,cjs}'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // CommonJS (jest's configs, the CommonJS consumers in tests): require() is its import.
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
