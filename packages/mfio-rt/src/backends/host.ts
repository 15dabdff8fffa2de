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
  // process.versions first: a Deno shim on Node (dnt's) defines globalThis.Deno, not this.
  const deno = versions.deno ?? (globalThis as { Deno?: { version?: { deno?: string } } }).Deno?.version?.deno;
  if (deno !== undefined) return { name: 'deno', version: deno };
  const bun = versions.bun ?? (globalThis as { Bun?: { version?: string } }).Bun?.version;
  if (bun !== undefined) return { name: 'bun', version: bun };
  return { name: 'node', version: versions.node ?? 'unknown' };
}

/** "Bun 1.4.5", "Deno 2.9.6", "Node 20.19.0". */
export function hostTitle(host: Host): string {
  return `${{ node: 'Node', bun: 'Bun', deno: 'Deno' }[host.name]} ${host.version}`;
}
