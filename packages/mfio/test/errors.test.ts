import { constants } from 'node:os';
import { abortError, errnoOf, MfioError } from '../src/index.js';

describe('MfioError', () => {
  test('fromErrno takes either sign and gives Node-shaped messages and fields', () => {
    const error = MfioError.fromErrno(constants.errno.ENOENT, { syscall: 'open', path: 'a.txt' });
    expect(error).toMatchObject({
      code: 'ENOENT',
      errno: -constants.errno.ENOENT,
      syscall: 'open',
      path: 'a.txt',
      message: "ENOENT: no such file or directory, open 'a.txt'",
    });
    expect(MfioError.fromErrno(-constants.errno.EBADF).code).toBe('EBADF');
    expect(error).toBeInstanceOf(Error);
  });

  test('fromCode looks up the errno and keeps position and dest context', () => {
    expect(MfioError.fromCode('EISDIR', { syscall: 'read', position: 8 })).toMatchObject({
      code: 'EISDIR',
      errno: errnoOf('EISDIR'),
      message: 'EISDIR: illegal operation on a directory, read at position 8',
    });
    expect(MfioError.fromCode('EXDEV', { syscall: 'rename', path: 'a', dest: 'b' }).message).toBe("EXDEV: cross-device link not permitted, rename 'a' -> 'b'");
  });

  test('an unknown errno becomes UNKNOWN (as in libuv) and keeps its number', () => {
    expect(MfioError.fromErrno(-999999)).toMatchObject({ code: 'UNKNOWN', errno: -999999, message: 'UNKNOWN: unknown system error -999999' });
  });

  test('abortError is an AbortError with code ABORT_ERR and the reason as cause', () => {
    const reason = new Error('why');
    expect(abortError(AbortSignal.abort(reason))).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: reason });
  });

  test('subclasses keep ordinary instanceof; errno 0 is UNKNOWN; withBytesTransferred copies', () => {
    class NetError extends MfioError {}
    expect(new MfioError('EIO', 'x')).not.toBeInstanceOf(NetError);
    expect(new NetError('EIO', 'x')).toBeInstanceOf(NetError);
    expect(new NetError('EIO', 'x')).toBeInstanceOf(MfioError);
    expect(MfioError.fromErrno(0).code).toBe('UNKNOWN');
    const original = MfioError.fromCode('EPIPE', { syscall: 'write', path: 'p' });
    const copy = original.withBytesTransferred(7);
    expect(copy).toMatchObject({ code: 'EPIPE', syscall: 'write', path: 'p', bytesTransferred: 7, message: original.message });
    expect(original.bytesTransferred).toBeUndefined();
    expect(copy.stack).toBe(original.stack);
  });

  test('instanceof works across two copies of the package', () => {
    let Other: typeof MfioError | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      Other = (require('../src/errors.js') as typeof import('../src/errors.js')).MfioError;
    });
    expect(Other).toBeDefined();
    expect(Other).not.toBe(MfioError);
    expect(new Other!('EIO', 'x')).toBeInstanceOf(MfioError);
    expect(new MfioError('EIO', 'x')).toBeInstanceOf(Other!);
    expect(new Error('plain')).not.toBeInstanceOf(MfioError);
    expect(null).not.toBeInstanceOf(MfioError);
  });
});
