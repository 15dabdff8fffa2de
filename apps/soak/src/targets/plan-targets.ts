import { BACKEND_ORDER, NativeRt } from '@mfio/rt';
import { NativeTarget } from './native-target.js';
import { NetfsTarget } from './netfs-target.js';
import type { SoakTarget } from './target.js';
import { VirtTarget } from './virt-target.js';

/** What will run, and what cannot run here and why. */
export interface TargetPlan {
  readonly targets: SoakTarget[];
  readonly unavailable: ReadonlyArray<{ readonly name: string; readonly reason: string }>;
}

/** Every target name the soak knows, in the order they run and are reported. */
export const TARGET_NAMES: readonly string[] = [...BACKEND_ORDER, 'virt', ...BACKEND_ORDER.map((b) => `netfs:${b}`)];

/**
 * The targets to run: every backend that starts here, the in-memory VirtFs, and a netfs server
 * over each backend that starts (`selected` narrows that down; naming one that cannot start
 * here is an error, so that CI cannot skip it silently). `selected` holds known names only.
 * @throws Error for a selected target that cannot start here.
 */
export async function planTargets(
  selected: readonly string[],
  workDir: string,
  options: { connections: number; seed: number },
  onServerExit: (why: string) => void,
): Promise<TargetPlan> {
  const probes = NativeRt.builder().enableAll().buildEach();
  // Closed before the first sample of descriptors, which the probes' rings and threads would swell.
  await Promise.all(probes.map((probe) => probe.rt?.close()));
  const why = new Map(probes.map((p) => [p.name as string, p.error?.message]));
  const targets: SoakTarget[] = [];
  const unavailable: Array<{ name: string; reason: string }> = [];
  for (const name of TARGET_NAMES) {
    if (selected.length > 0 && !selected.includes(name)) continue;
    const backend = name.startsWith('netfs:') ? name.slice('netfs:'.length) : name;
    const reason = backend === 'virt' ? undefined : why.get(backend);
    if (reason !== undefined) {
      if (selected.includes(name)) throw new Error(`target ${name} cannot start here: ${reason}`);
      unavailable.push({ name, reason });
    } else if (name === 'virt') {
      targets.push(new VirtTarget(options.seed));
    } else if (name.startsWith('netfs:')) {
      targets.push(new NetfsTarget(backend, workDir, options.connections, onServerExit));
    } else {
      targets.push(new NativeTarget(backend as (typeof BACKEND_ORDER)[number], workDir));
    }
  }
  return { targets, unavailable };
}
