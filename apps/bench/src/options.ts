import { PATTERNS, type Pattern } from './plan.js';

/** The parsed command line: what to measure, how long, and where the results go. */
export interface Options {
  help: boolean;
  file?: string;
  fileMiB: number;
  patterns: Pattern[];
  sizes: number[];
  /** Substrings selecting contenders (all when empty). */
  contenders: string[];
  inFlight: number;
  caches: Array<'hot' | 'cold'>;
  timeMs: number;
  /** One-way delays (ms) of the latency mode; none: no latency mode. */
  delays: number[];
  /** Reads per measured iteration; by default 8 MiB worth, from 256 to 8192. */
  reads?: number;
  /** Runs of every case, contenders taking turns; the report gives each one's median. */
  repeat: number;
  /** Run the real network filesystem peers too (Samba, NFS-Ganesha, sshfs, HTTP N at a time). */
  peers: boolean;
  out?: string;
}

/** The latency mode's one-way delays in milliseconds with --full. */
export const FULL_DELAYS = [1, 2, 5, 10, 20, 50, 100] as const;
/** The latency mode's one-way delays of the quick run: one per decade. */
export const QUICK_DELAYS = [1, 10, 100] as const;

/** The --help text. */
export const USAGE = `mfio-bench: every mfio backend against Node's fs, on the same reads of one sample file

  pnpm bench [options]            quick run (a few minutes)
  pnpm bench --full               1 GiB file, every pattern and size, hot and cold cache

Options:
  --full                  the full matrix (defaults below in brackets)
  --file PATH             read this file as it is (generated like the sample if missing)
  --file-size MiB         size of a generated sample file              256 [1024]
  --patterns LIST         sequential,reverse,random                    random,sequential [all]
  --sizes LIST            read sizes in bytes (4k, 64k accepted)       1,4k,64k [1,16,256,4k,64k]
  --contenders LIST       substrings of contender names, e.g. io_uring,promises   (all)
  --in-flight N           reads in flight for concurrent contenders    64
  --cache LIST            hot,cold (cold drops the file's pages first) hot [hot,cold]
  --time MS               measuring time per case                      600 [1500]
  --latency LIST          latency mode: one-way delays in ms, or none  1,10,100 [1,2,5,10,20,50,100]
  --reads N               reads per measured iteration                 8 MiB worth, 256 to 8192
  --repeat N              runs of each case, contenders taking turns;  1
                          the table shows each contender's median run
  --peers                 the real network filesystems too: smb, nfs,  off [on]
                          sshfs, http:range:N (installs and starts them)
  --out DIR               where latest.{json,md} and the SVG charts go  bench/local
                          (the committed set is bench/results: --out bench/results)
  --help                  this text

Contenders: node:readSync (one at a time), node:read and node:promises (N in flight), the same
two with UV_USE_IO_URING=1, mfio:<backend>:readAt (one promise per read, N in flight) and
mfio:<backend>:readMany (batches of N reads, the same depth) and mfio:<backend>:fs-promises
(@mfio/rt/promises FileHandle.read, Node's code unchanged, N in flight) for every
backend that starts (io_uring and threadpool also as :tsfn, completions woken through a
thread-safe function as on Bun and Deno, not a libuv handle: MFIO_DELIVERY=tsfn), c++:io_uring (our ring from C++ at depth N, no JS), and
netfs:<server's backend>:readAt/readMany (an mfio-netfs-server child on 127.0.0.1). These are
tuned: they reuse page-aligned destination buffers. Each mfio and netfs one has a :plain twin,
the code users write: readAt(position, size) (a new Buffer per read) and readMany with no
\`into\` (a new buffer per batch), the same reads in flight. --contenders matches substrings:
readAt selects both twins, :plain only the plain ones.
Latency mode: netfs readAt (N in flight) and HTTP range requests to a node:http server
(http:range one at a time, http:range:6 six at a time, keep-alive) through a TCP proxy on
127.0.0.1 that delays every chunk by the delay each way; hot random reads of 1 B, 256 B, 64 KiB.
Peers (--peers, --full): smb (Samba's smbd, libsmbclient from C, N forked workers), nfs
(NFS-Ganesha over NFSv4, libnfs from C, N forked workers), sshfs (sshd and a FUSE mount, Node's
FileHandle.read) and http:range:N, all N in flight on 127.0.0.1, in the loopback cases and,
through the same delay proxy, in the latency mode. As root, missing Debian packages are
installed with apt-get; a peer that cannot start is reported with the reason.
Every case's reads are checked against Node's synchronous reads.`;

function fail(message: string): never {
  throw new Error(`${message}\n\n${USAGE}`);
}

function sizeOf(text: string): number {
  const match = /^(\d+)([kKmM]?)$/.exec(text.trim());
  if (!match) fail(`bad size '${text}'`);
  const unit = { '': 1, k: 1024, K: 1024, m: 1 << 20, M: 1 << 20 }[match[2] as '' | 'k'] ?? 1;
  const size = Number(match[1]) * unit;
  if (size < 1 || size > 64 << 20) fail(`size '${text}' out of range (1 B to 64 MiB)`);
  return size;
}

function positive(text: string | undefined, name: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`${name} needs a positive integer, got '${text}'`);
  return n;
}

/** Parse the command line. @throws Error with the usage on a bad option. */
export function parseOptions(argv: string[]): Options {
  const full = argv.includes('--full');
  const options: Options = {
    help: false,
    fileMiB: full ? 1024 : 256,
    patterns: full ? [...PATTERNS] : ['random', 'sequential'],
    sizes: full ? [1, 16, 256, 4096, 65536] : [1, 4096, 65536],
    contenders: [],
    inFlight: 64,
    caches: full ? ['hot', 'cold'] : ['hot'],
    timeMs: full ? 1500 : 600,
    delays: full ? [...FULL_DELAYS] : [...QUICK_DELAYS],
    repeat: 1,
    peers: full,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => argv[++i] ?? fail(`${flag} needs a value`);
    switch (flag) {
      case '--full':
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      case '--file':
        options.file = value();
        break;
      case '--file-size':
        options.fileMiB = positive(value(), flag);
        break;
      case '--patterns':
        options.patterns = value()
          .split(',')
          .map((p) => (PATTERNS.includes(p as Pattern) ? (p as Pattern) : fail(`unknown pattern '${p}'`)));
        break;
      case '--sizes':
        options.sizes = value().split(',').map(sizeOf);
        break;
      case '--contenders':
        options.contenders = value()
          .split(',')
          .filter((c) => c !== '');
        break;
      case '--in-flight':
        options.inFlight = positive(value(), flag);
        break;
      case '--cache':
        options.caches = value()
          .split(',')
          .map((c) => (c === 'hot' || c === 'cold' ? c : fail(`unknown cache mode '${c}'`)));
        break;
      case '--time':
        options.timeMs = positive(value(), flag);
        break;
      case '--latency': {
        const list = value();
        options.delays = list === 'none' ? [] : list.split(',').map((d) => positive(d, flag));
        break;
      }
      case '--reads':
        options.reads = positive(value(), flag);
        break;
      case '--repeat':
        options.repeat = positive(value(), flag);
        break;
      case '--peers':
        options.peers = true;
        break;
      case '--out':
        options.out = value();
        break;
      default:
        fail(`unknown option '${flag}'`);
    }
  }
  return options;
}
