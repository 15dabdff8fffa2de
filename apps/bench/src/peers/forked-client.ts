import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { ReadDigest } from '../checksum.js';
import { PeerUnavailableError } from './errors.js';

const appRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The C clients on a forked worker pool (apps/bench/native/peer_pool.h). */
export type ForkedProgram = 'smb_read' | 'nfs_read';

const LIBRARIES: Record<ForkedProgram, string> = { smb_read: 'smbclient', nfs_read: 'libnfs' };

/**
 * Build `program` into apps/bench/build/ when a source is newer than the binary (as the C++
 * baseline is built), with the library's flags from pkg-config. Returns the binary's path.
 * @throws PeerUnavailableError with the compiler's message.
 */
export function buildForkedProgram(program: ForkedProgram): string {
  const peer = program === 'smb_read' ? 'smb' : 'nfs';
  const native = join(appRoot, 'native');
  const binary = join(appRoot, 'build', program);
  const sources = [join(native, `${program}.c`), join(native, 'peer_pool.c'), join(native, 'peer_pool.h')];
  if (existsSync(binary) && sources.every((source) => statSync(source).mtimeMs <= statSync(binary).mtimeMs)) return binary;
  const flags = spawnSync('pkg-config', ['--cflags', '--libs', LIBRARIES[program]], { encoding: 'utf8' });
  if (flags.status !== 0) throw new PeerUnavailableError(peer, `pkg-config ${LIBRARIES[program]}: ${flags.stderr || flags.error?.message}`);
  mkdirSync(dirname(binary), { recursive: true });
  const args = ['-O2', '-Wall', sources[0]!, sources[1]!, '-o', binary, ...flags.stdout.trim().split(/\s+/)];
  const cc = spawnSync('cc', args, { encoding: 'utf8' });
  if (cc.status !== 0) throw new PeerUnavailableError(peer, `cc failed: ${cc.stderr || cc.error?.message}`);
  return binary;
}

/** An error the pool reported: its errno name as `code`, as Node's own errors carry it. */
function poolError(program: string, line: string): Error {
  const match = /^ERROR (\S+) (.*)$/.exec(line);
  return Object.assign(new Error(`${program}: ${match?.[2] ?? line}`), { code: match?.[1] ?? 'EIO' });
}

/**
 * A running pool of `workers` forked readers of one remote file, each on its own connection:
 * the same reads N in flight as the other contenders, with no JS in the read path. Every run
 * sends the positions and gets back the digest of the bytes read.
 */
export class ForkedClient {
  readonly #child: ChildProcessByStdio<Writable, Readable, null>;
  readonly #program: string;
  #lines: string[] = [];
  #waiting: Array<(line: string) => void> = [];
  #exit: string | undefined;

  private constructor(child: ChildProcessByStdio<Writable, Readable, null>, program: string) {
    this.#child = child;
    this.#program = program;
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) this.#deliver(line);
    });
    child.on('close', (code, signal) => {
      this.#exit = signal ?? `exit ${code}`;
      for (const waiter of this.#waiting.splice(0)) waiter(`ERROR ECONNRESET ${program} stopped (${this.#exit})`);
    });
  }

  /**
   * Start `program` with `workers` readers of `target`, for runs of up to `maxReads` reads of up
   * to `maxSize` bytes; resolves once every worker has opened the file.
   * @throws Error with the pool's errno name as `code` when a worker cannot connect or open.
   */
  static async start(program: ForkedProgram, target: string, workers: number, maxReads: number, maxSize: number): Promise<ForkedClient> {
    const binary = buildForkedProgram(program);
    const child = spawn(binary, [target, String(workers), String(maxReads), String(maxSize)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const client = new ForkedClient(child, program);
    const line = await client.#next();
    if (line !== 'READY') {
      child.stdin.end();
      throw poolError(program, line);
    }
    return client;
  }

  /** Read `positions` (`size` bytes each) N in flight; their digest goes into `digest`. */
  async run(positions: Float64Array, size: number, digest: ReadDigest): Promise<void> {
    const header = Buffer.alloc(8);
    header.writeUInt32LE(positions.length, 0);
    header.writeUInt32LE(size, 4);
    this.#child.stdin.write(header);
    this.#child.stdin.write(Buffer.from(positions.buffer, positions.byteOffset, positions.byteLength));
    const line = await this.#next();
    const match = /^OK (\d+)$/.exec(line);
    if (!match) throw poolError(this.#program, line);
    digest.merge(Number(match[1]));
  }

  /** Let the workers go (stdin closed) and wait for the pool to exit. */
  async close(): Promise<void> {
    if (this.#exit !== undefined) return;
    const exited = new Promise((resolve) => this.#child.once('close', resolve));
    this.#child.stdin.end();
    await exited;
  }

  #next(): Promise<string> {
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#exit !== undefined) return Promise.resolve(`ERROR ECONNRESET ${this.#program} stopped (${this.#exit})`);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #deliver(line: string): void {
    const waiter = this.#waiting.shift();
    if (waiter) waiter(line);
    else this.#lines.push(line);
  }
}
