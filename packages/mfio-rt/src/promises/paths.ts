import { fileURLToPath } from 'node:url';
import { MfioError, invalidArgType } from '@mfio/core';

/**
 * A path argument as Node takes it: a string, a Buffer or Uint8Array (UTF-8), or a `file:` URL.
 * @throws {MfioError} ERR_INVALID_ARG_TYPE for anything else; ERR_INVALID_ARG_VALUE for a null
 * byte (Node's wording); Node's URL errors for a URL that is not a file URL.
 */
export function toPath(path: unknown, name = 'path'): string {
  let text: string;
  if (typeof path === 'string') text = path;
  else if (path instanceof Uint8Array) text = Buffer.from(path.buffer, path.byteOffset, path.byteLength).toString('utf8');
  else if (path instanceof URL) text = fileURLToPath(path);
  else throw invalidArgType(name, 'of type string or an instance of Buffer or URL', path);
  if (text.includes('\0')) {
    throw new MfioError(
      'ERR_INVALID_ARG_VALUE',
      `The argument '${name}' must be a string, Uint8Array, or URL without null bytes. Received ${JSON.stringify(text)}`,
    );
  }
  return text;
}
