/**
 * One-off netfs figures for issue 6, until apps/bench has a netfs mode: random 4 KiB reads of
 * a 1 GiB file (page cache) over loopback, 64 in flight vs one at a time; then through a
 * userspace proxy adding DELAY ms each way, netfs with 64 in flight vs HTTP range requests
 * with keep-alive (node:http, 1 and 6 connections, a browser's limit) on the same file.
 *
 * Run: pnpm -F @mfio/netfs build && pnpm -F @mfio/netfs bench:netfs [seconds per case]
 * Conditions: server, proxy and HTTP server each in their own process; client in this one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@mfio/core';
import { NetFs } from '../src/index.js';

const SECONDS = Number(process.argv[2] ?? 3);
const FILE_SIZE = 1 << 30;
const READ = 4096;
const DELAY = 5;

/** Start a child and resolve with the port it prints (a line of digits) or logs ("listening on h:p"). */
function child(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ proc: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const onLine = (d: Buffer): void => {
      const m = /^(\d+)$/m.exec(d.toString()) ?? / listening on [^ ]*:(\d+)$/m.exec(d.toString());
      if (m) resolve({ proc, port: Number(m[1]) });
    };
    proc.stdout.on('data', onLine);
    proc.stderr.on('data', onLine);
    proc.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

const PROXY = `
const net = require('node:net');
const [target, delay] = process.argv.slice(1).map(Number);
const server = net.createServer((a) => {
  const b = net.connect(target, '127.0.0.1');
  for (const [from, to] of [[a, b], [b, a]]) {
    from.setNoDelay(true);
    // Equal timeouts fire in the order they were set, so the stream keeps its order.
    from.on('data', (chunk) => setTimeout(() => to.write(chunk), delay));
    from.on('end', () => setTimeout(() => to.end(), delay));
    from.on('error', () => to.destroy());
  }
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;

const HTTP = `
const http = require('node:http');
const fs = require('node:fs');
const fd = fs.openSync(process.argv[1], 'r');
const size = fs.fstatSync(fd).size;
const server = http.createServer((req, res) => {
  const m = /bytes=(\\d+)-(\\d+)/.exec(req.headers.range || '');
  const a = Number(m[1]), b = Math.min(Number(m[2]), size - 1);
  const buf = Buffer.allocUnsafe(b - a + 1);
  fs.read(fd, buf, 0, buf.length, a, (err, n) => {
    res.writeHead(206, { 'Content-Length': n, 'Content-Range': 'bytes ' + a + '-' + (a + n - 1) + '/' + size });
    res.end(buf.subarray(0, n));
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;

/** Run `workers` loops of `readOnce` for SECONDS; reads per second. */
async function measure(workers: number, readOnce: (position: number) => Promise<void>): Promise<number> {
  const random = new SeededRandom(4096);
  const end = Date.now() + SECONDS * 1000;
  let reads = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < end) {
        await readOnce(random.int(FILE_SIZE / READ) * READ);
        reads++;
      }
    }),
  );
  return reads / SECONDS;
}

async function netfsCase(port: number, inFlight: number): Promise<number> {
  const fs = await NetFs.connect({ port });
  const file = await fs.open('big.bin');
  const buffers = Array.from({ length: inFlight }, () => Buffer.alloc(READ));
  let next = 0;
  const rate = await measure(inFlight, async (position) => {
    const n = await file.readAt(position, buffers[next++ % inFlight]!);
    if (n !== READ) throw new Error(`short read ${n}`);
  });
  await fs.close();
  return rate;
}

async function httpCase(port: number, sockets: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const rate = await measure(
    sockets,
    (position) =>
      new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, agent, headers: { range: `bytes=${position}-${position + READ - 1}` } }, (res) => {
          let got = 0;
          res.on('data', (d: Buffer) => (got += d.length));
          res.on('end', () => (got === READ ? resolve() : reject(new Error(`got ${got}`))));
        });
        req.on('error', reject);
        req.end();
      }),
  );
  agent.destroy();
  return rate;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mfio-netfs-bench-'));
  const procs: ChildProcess[] = [];
  try {
    const path = join(dir, 'big.bin');
    const file = await open(path, 'w');
    const block = Buffer.from(new SeededRandom(1).bytes(1 << 20));
    for (let at = 0; at < FILE_SIZE; at += block.length) await file.write(block, 0, block.length, at);
    await file.close();
    const server = await child(['bin/mfio-netfs-server.js', '--root', dir, '--listen', '127.0.0.1:0', '--log-level', 'info']);
    procs.push(server.proc);
    const http = await child(['-e', HTTP, path]);
    procs.push(http.proc);
    const netfsProxy = await child(['-e', PROXY, String(server.port), String(DELAY)]);
    procs.push(netfsProxy.proc);
    const httpProxy = await child(['-e', PROXY, String(http.port), String(DELAY)]);
    procs.push(httpProxy.proc);
    // The file was just written, so it is in the page cache; one short run warms the processes.
    await netfsCase(server.port, 64);

    const rows: Array<[string, number]> = [];
    const run = async (name: string, rate: Promise<number>): Promise<void> => {
      rows.push([name, await rate]);
      process.stderr.write(`${name}: ${rows.at(-1)![1].toFixed(0)} reads/s\n`);
    };
    await run('loopback, netfs, 1 in flight', netfsCase(server.port, 1));
    await run('loopback, netfs, 64 in flight', netfsCase(server.port, 64));
    await run(`+${DELAY} ms each way, netfs, 64 in flight`, netfsCase(netfsProxy.port, 64));
    await run(`+${DELAY} ms each way, netfs, 1 in flight`, netfsCase(netfsProxy.port, 1));
    await run(`+${DELAY} ms each way, HTTP range keep-alive, 1 connection`, httpCase(httpProxy.port, 1));
    await run(`+${DELAY} ms each way, HTTP range keep-alive, 6 connections`, httpCase(httpProxy.port, 6));
    process.stdout.write(
      `\nRandom ${READ}-byte reads of a 1 GiB file (page cache), ${SECONDS} s per case, server backend as logged\n\n| case | reads/s | MiB/s |\n|---|---:|---:|\n`,
    );
    for (const [name, rate] of rows) process.stdout.write(`| ${name} | ${rate.toFixed(0)} | ${((rate * READ) / (1 << 20)).toFixed(1)} |\n`);
  } finally {
    for (const proc of procs) proc.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
