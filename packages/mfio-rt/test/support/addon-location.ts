import { resolve } from 'node:path';

/** The CommonJS stand-in for src/native/addon-location.ts (tests cannot use import.meta). */
export const packageRoot: string = resolve(__dirname, '../..');
