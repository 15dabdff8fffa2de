import type { BackendName } from './contract.js';

/** The JavaScript runtimes the addon knows apart. */
export type HostName = 'node' | 'bun' | 'deno';

/** The runtime this process runs on. */
export interface Host {
  readonly name: HostName;
  readonly version: string;
}

/**
 * Which runtime this is, from what each one says of itself. Never from the addon: the only
 * native tell would be a libuv call, and Bun aborts the process on the ones it lacks, while
 * `napi_get_uv_event_loop` succeeds everywhere (Bun hands out a loop of its own, Deno its env).
 * Deno and Bun both also fill `process.versions.node`, so they are asked first.
 */
export function currentHost(): Host {
  const versions = process.versions as Record<string, string | undefined>;
  const deno = (globalThis as { Deno?: { version?: { deno?: string } } }).Deno?.version?.deno ?? versions.deno;
  if (deno !== undefined) return { name: 'deno', version: deno };
  const bun = versions.bun ?? (globalThis as { Bun?: { version?: string } }).Bun?.version;
  if (bun !== undefined) return { name: 'bun', version: bun };
  return { name: 'node', version: versions.node ?? 'unknown' };
}

/**
 * Why a native backend cannot run on a host other than Node, found by running it there (Bun
 * 1.4.5, Deno 2.9.6: test/foreign-hosts.test.ts and `pnpm -F @mfio/rt test:hosts`). Completions
 * reach those hosts through a thread-safe function (backends/delivery.ts), not libuv.
 */
const HOST_LIMITS: Record<Exclude<HostName, 'node'>, Partial<Record<BackendName, string>>> = {
  bun: {},
  deno: {},
};

/**
 * Why `backend` cannot run on `host`, or undefined where nothing is known against it.
 * @example hostLimit('io_uring', { name: 'bun', version: '1.4.5' }) // 'Bun 1.4.5 has no uv_poll_t, ...'
 */
export function hostLimit(backend: BackendName, host: Host = currentHost()): string | undefined {
  if (host.name === 'node') return undefined;
  const reason = HOST_LIMITS[host.name][backend];
  return reason === undefined ? undefined : `${hostTitle(host)} ${reason}`;
}

/** "Bun 1.4.5", "Deno 2.9.6", "Node 20.19.0". */
export function hostTitle(host: Host): string {
  return `${{ node: 'Node', bun: 'Bun', deno: 'Deno' }[host.name]} ${host.version}`;
}
