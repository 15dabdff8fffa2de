import { createServer, connect } from 'node:net';
import { DriverTcp } from './src/net/driver-tcp.js';
import { ioUringFactory } from './src/backends/io_uring/index.js';
const drivers = ioUringFactory.start({ cwd: '/' });
const tcp = new DriverTcp(drivers.tcp);
// 1. io_uring client against a node:net echo server
const server = createServer((s) => s.pipe(s)).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const port = (server.address() as any).port;
const c = await tcp.connect('127.0.0.1', port);
console.log('client', c.localAddress().address, '->', c.remoteAddress().port === port);
const big = Buffer.alloc(4 << 20, 7); big.write('head'); big.write('tail', big.length - 4);
const echoed = c.readExact(big.length);
await c.write(big);
console.log('echo 4MiB ok', (await echoed).equals(big));
await c.close(); server.close();
// 2. io_uring listener, node:net client, 16 at a time
const l = await tcp.listen('127.0.0.1', 0);
const lport = l.localAddress().port;
(async () => { for await (const s of l) { (async () => { const d = await s.readToEnd(); await s.write(d); await s.close(); })(); } })().catch((e) => console.log('listener end', e.code));
const results = await Promise.all(Array.from({ length: 16 }, (_, i) => new Promise<boolean>((resolve) => {
  const sock = connect(lport, '127.0.0.1'); const msg = Buffer.from(`message ${i} `.repeat(1000)); const got: Buffer[] = [];
  sock.on('data', (d) => got.push(d)); sock.on('end', () => resolve(Buffer.concat(got).equals(msg))); sock.end(msg);
})));
console.log('16 clients echoed', results.every(Boolean));
// 3. connect refused
await tcp.connect('127.0.0.1', 1).catch((e) => console.log('refused', e.code));
// 4. abort a read in flight
const server2 = createServer(() => {}).listen(0, '127.0.0.1'); await new Promise((r) => server2.once('listening', r));
const c2 = await tcp.connect('localhost', (server2.address() as any).port);
const ac = new AbortController(); const r = c2.read(10, { signal: ac.signal }).catch((e) => e.code); ac.abort(); console.log('aborted read', await r);
await c2.close(); server2.close();
await l.close(); await drivers.close?.();
console.log('done');
