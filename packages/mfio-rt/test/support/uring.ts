import { NativeQueue } from '../../src/backends/engine/native-queue.js';
import { loadAddon, type NativeExecutor, type NativeExecutorClass } from '../../src/native/addon.js';

/** Whether this process may set up a ring (the addon has one, and io_uring_setup succeeds). */
export function uringStarts(): boolean {
  try {
    const addon = loadAddon();
    if (addon.UringExecutor === undefined) return false;
    new addon.UringExecutor(8, new Int32Array(16), () => {}).close();
    return true;
  } catch {
    return false;
  }
}

/** A queue on a fresh ring of `entries`, and that ring's executor for its info(). */
export function uringQueue(entries = 64): { queue: NativeQueue; info: () => ReturnType<NativeExecutor['info']> } {
  const { UringExecutor } = loadAddon();
  let executor: NativeExecutor | undefined;
  // NativeQueue makes its executor itself: hand it one we keep a hold of.
  const Spy = function (...args: ConstructorParameters<NativeExecutorClass>) {
    executor = new UringExecutor!(...args);
    return executor;
  } as unknown as NativeExecutorClass;
  const queue = new NativeQueue('io_uring', Spy, entries);
  return { queue, info: () => executor!.info() };
}
