import { invalidArgType, MfioError } from './errors.js';

/**
 * Validate an options argument: `undefined`, or a plain object whose every own key is one the
 * call knows. A misplaced argument (`readAt(0, buffer, 10)`: a length where the options go) or a
 * misspelled or foreign option (`{ end: 3 }` where only `length` exists, Node's `{ flags: 'r' }`)
 * fails here, before any I/O, instead of being silently ignored.
 * @throws {MfioError} ERR_INVALID_ARG_TYPE when `options` is not an object; ERR_INVALID_ARG_VALUE
 * naming the unknown key and the known ones.
 */
export function checkOptions<T extends object>(options: T | undefined, known: readonly string[], name = 'options'): T | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalidArgType(name, 'of type object', options);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new MfioError(
        'ERR_INVALID_ARG_VALUE',
        `The option "${name}.${key}" is not known here: the known options are ${known.map((k) => `"${k}"`).join(', ') || 'none'}`,
      );
    }
  }
  return options;
}

/**
 * Refuse arguments past the last one a call takes (`readAtSync(0, buffer, 10)`), which JavaScript
 * would otherwise drop without a word.
 * @throws {MfioError} ERR_INVALID_ARG_VALUE saying how many arguments the call takes.
 */
export function checkArgumentCount(method: string, given: number, max: number): void {
  if (given > max) {
    throw new MfioError('ERR_INVALID_ARG_VALUE', `${method}() takes at most ${max} argument${max === 1 ? '' : 's'}; it was given ${given}`);
  }
}

/** The keys of `IoOptions`, which every async call accepts. */
export const IO_OPTION_KEYS = ['signal'] as const;
