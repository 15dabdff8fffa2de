/**
 * The symbols of explicit resource management (`using`, `await using`), without a polyfill.
 *
 * Node 20.4+ defines `Symbol.asyncDispose` and `Symbol.dispose` as `Symbol.for('nodejs.asyncDispose')`
 * and `Symbol.for('nodejs.dispose')` when the engine lacks them; a runtime older than that, or one
 * without Node's shims, gets the same registered symbols from here, so a handle disposed by Node's
 * own code (or by a later engine that adopts Node's symbols) still finds its method. The types are
 * the well-known ones (from `@types/node` or TypeScript's `esnext.disposable` lib), so TypeScript's
 * `await using file = await fs.open(path)` accepts every mfio handle.
 * @module
 */

/** `Symbol.asyncDispose`, or Node's registered stand-in where the engine lacks it. */
// `??` keeps the well-known symbol's type: TypeScript's lib says it always exists.
export const asyncDispose: typeof Symbol.asyncDispose = Symbol.asyncDispose ?? Symbol.for('nodejs.asyncDispose');

/** `Symbol.dispose`, or Node's registered stand-in where the engine lacks it. */
export const dispose: typeof Symbol.dispose = Symbol.dispose ?? Symbol.for('nodejs.dispose');
