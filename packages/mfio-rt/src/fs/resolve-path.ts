import type { PathSyntax } from './driver.js';

/** A path argument resolved against a directory, with what the kernel would still check. */
export interface ResolvedPath {
  /** Absolute and lexically normalised: what drivers get. */
  readonly full: string;
  /**
   * Paths that must be directories for the argument to resolve: each one a `.` or `..` steps
   * out of (`f/../g` needs `f` to be a directory, as the kernel walks it; normalising alone
   * would silently accept it).
   */
  readonly through: readonly string[];
  /** The argument names an entry with a trailing separator (`d/`): it must be a directory. */
  readonly trailing: boolean;
}

const isName = (part: string): boolean => part !== '' && part !== '.' && part !== '..';

/**
 * Resolve `path` against `base` lexically (`..` removes the previous component, symlinks are
 * not looked at), and note the checks that keep the kernel's answers for `.`, `..` and a
 * trailing separator after a non-directory: ENOTDIR.
 */
export function resolvePath(paths: PathSyntax, base: string, path: string): ResolvedPath {
  const separators = paths.sep === '\\' ? /[\\/]/ : /\//;
  const parts = path.split(separators);
  const through: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    if ((part === '.' || part === '..') && isName(parts[i - 1]!)) {
      through.push(paths.resolve(base, parts.slice(0, i).join(paths.sep)));
    }
  }
  // `d/` and `d//` (the last part is empty) after a name; `f/./` is covered by `through`.
  let last = parts.length - 1;
  while (last > 0 && parts[last] === '') last--;
  const trailing = last < parts.length - 1 && isName(parts[last]!);
  return { full: paths.resolve(base, path), through, trailing };
}
