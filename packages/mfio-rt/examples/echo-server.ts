/**
 * A TCP echo server: every byte a client sends comes back, with 4 reads of 64 KiB in flight per
 * client. Reads complete when full or at end of stream, so the last piece is echoed when the
 * client shuts down its sending side.
 *
 *   pnpm -F @mfio/rt example:echo                 # serve on 127.0.0.1, a free port, until Ctrl-C
 *   pnpm -F @mfio/rt example:echo --port 7000     # a fixed port
 *   pnpm -F @mfio/rt example:echo --once          # serve one client, then exit
 *   pnpm -F @mfio/rt example:echo --demo          # --once, and a node:net client checks the echo
 */
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { NativeRt, type TcpStream } from '../src/index.js';

const CHUNK = 64 * 1024;

async function echo(stream: TcpStream): Promise<number> {
  let total = 0;
  const reads: Array<Promise<Buffer>> = [];
  const issue = (): void => {
    const read = stream.read(CHUNK);
    read.catch(() => undefined); // awaited below, or settled by close
    reads.push(read);
  };
  for (let i = 0; i < 4; i++) issue();
  for (;;) {
    const chunk = await reads.shift()!;
    if (chunk.length > 0) await stream.write(chunk);
    total += chunk.length;
    if (chunk.length < CHUNK) break; // the client finished sending
    issue();
  }
  await stream.close();
  return total;
}

/** A plain node:net client: sends a message, half-closes, and checks what comes back. */
function demoClient(port: number): Promise<void> {
  const message = Buffer.from('hello from node:net, '.repeat(10_000));
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const parts: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => parts.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      socket.end();
      const back = Buffer.concat(parts);
      if (back.equals(message)) {
        console.log(`demo client: ${back.length} bytes echoed back intact`);
        resolve();
      } else reject(new Error(`demo client: got ${back.length} bytes, sent ${message.length}`));
    });
    socket.end(message);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, once: { type: 'boolean' }, demo: { type: 'boolean' } } });
  const rt = NativeRt.builder().enableAll().build();
  const listener = await rt.listen('127.0.0.1', Number(values.port));
  const { address, port } = listener.localAddress();
  console.log(`echo server on ${address}:${port} (${rt.backendName} backend)`);
  const demo = values.demo ? demoClient(port) : null;
  const stop = async (): Promise<void> => {
    await listener.close();
    await rt.close();
  };
  process.once('SIGINT', () => void stop());
  try {
    for await (const stream of listener) {
      const peer = stream.remoteAddress();
      const serving = echo(stream).then(
        (n) => console.log(`${peer.address}:${peer.port}: echoed ${n} bytes`),
        (error: unknown) => console.error(`${peer.address}:${peer.port}:`, error),
      );
      if (values.once || values.demo) {
        await serving;
        break;
      }
    }
    await demo;
  } finally {
    await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
