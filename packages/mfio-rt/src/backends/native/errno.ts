import { constants } from 'node:os';

/**
 * The errno values the native executors return negated, as this platform numbers them (the
 * thread pool also runs on macOS and the BSDs, where EAGAIN is 35, not Linux's 11).
 */
export const { EAGAIN, EBADF, ECANCELED, EINTR } = constants.errno;
