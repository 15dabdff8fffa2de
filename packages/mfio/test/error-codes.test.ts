import { getSystemErrorMap } from 'node:util';
import { CONNECT_ERROR_CODES, MFIO_CODES, MfioError, SYSTEM_ERROR_CODES, isSystemErrorCode, type MfioErrorCode } from '../src/index.js';

describe('error codes', () => {
  test('each code is defined once, as its own value, in a frozen table', () => {
    const tables = [MFIO_CODES, SYSTEM_ERROR_CODES, CONNECT_ERROR_CODES];
    const all: string[] = [];
    for (const table of tables) {
      expect(Object.isFrozen(table)).toBe(true);
      for (const [key, value] of Object.entries(table)) expect(value).toBe(key);
      all.push(...Object.keys(table));
    }
    expect(new Set(all).size).toBe(all.length);
    for (const code of all) expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
    for (const code of Object.keys(MFIO_CODES)) expect(code).toMatch(/^(ERR_[A-Z0-9_]+|ABORT_ERR)$/);
    // What fromErrno and fromCode give: an E-name without underscore, or UNKNOWN.
    for (const code of Object.keys(SYSTEM_ERROR_CODES)) expect(code).toMatch(/^(E[A-Z0-9]+|UNKNOWN)$/);
  });

  // If this fails, the running Node's libuv names an errno SYSTEM_ERROR_CODES lacks: add it there.
  test('every errno this Node names comes out of fromErrno as a listed code', () => {
    const missing: string[] = [];
    for (const [errno, [name]] of getSystemErrorMap()) {
      const { code } = MfioError.fromErrno(errno);
      if (!Object.hasOwn(SYSTEM_ERROR_CODES, code)) missing.push(`${name} (${errno}) -> ${code}`);
    }
    expect(missing).toEqual([]);
  });

  test("the resolver's codes a connect can fail with are listed", () => {
    // dns.lookup names EAI_NONAME and EAI_NODATA ENOTFOUND, and the rest as libuv does.
    const names = [...getSystemErrorMap().values()].map(([name]) => name);
    const resolver = names.filter((name) => name.startsWith('EAI_') && name !== 'EAI_NONAME' && name !== 'EAI_NODATA');
    expect(resolver.length).toBeGreaterThan(0);
    expect(resolver.filter((name) => !Object.hasOwn(CONNECT_ERROR_CODES, name))).toEqual([]);
  });

  test('isSystemErrorCode knows the errno names and nothing else', () => {
    expect(isSystemErrorCode('ENOENT')).toBe(true);
    expect(isSystemErrorCode('UNKNOWN')).toBe(true);
    expect(isSystemErrorCode('ABORT_ERR')).toBe(false);
    expect(isSystemErrorCode('ERR_MFIO_NO_BACKEND')).toBe(false);
    expect(isSystemErrorCode('ENOENTT')).toBe(false);
    expect(isSystemErrorCode('toString')).toBe(false);
    expect(isSystemErrorCode(2)).toBe(false);
  });

  test('a misspelled code does not compile (pnpm typecheck checks the directives)', () => {
    const typo = (): MfioError =>
      // @ts-expect-error 'ENOENTT' is not an MfioErrorCode
      new MfioError('ENOENTT', 'typo');
    // @ts-expect-error 'EBADFD' is not a SystemErrorCode
    const fromCode = (): MfioError => MfioError.fromCode('EBADFD');
    const compare = (error: MfioError): boolean =>
      // @ts-expect-error the types 'MfioErrorCode' and '"ABORT_ERROR"' have no overlap
      error.code === 'ABORT_ERROR';
    const ok: MfioErrorCode[] = ['ENOENT', 'ABORT_ERR', 'ERR_MFIO_BACKEND_UNAVAILABLE', 'CERT_HAS_EXPIRED', 'ERR_SSL_WRONG_VERSION_NUMBER'];
    // Nothing checks at run time: the table is for the compiler and the reader.
    expect(typo().code).toBe('ENOENTT');
    expect(fromCode().code).toBe('EBADFD');
    expect(compare(typo())).toBe(false);
    expect(ok).toHaveLength(5);
  });
});
