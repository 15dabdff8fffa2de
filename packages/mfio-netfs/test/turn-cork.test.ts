import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { TurnCork } from '../src/protocol/turn-cork.js';

/** A stream that records how its writes were grouped: one entry per underlying write call. */
function recorder(): { stream: Writable; calls: number[] } {
  const calls: number[] = [];
  const stream = new Writable({
    write(_chunk, _encoding, done) {
      calls.push(1);
      done();
    },
    writev(chunks, done) {
      calls.push(chunks.length);
      done();
    },
  });
  return { stream, calls };
}

test('frames written in one turn of the loop reach the stream as one write, the next turn as another', async () => {
  const { stream, calls } = recorder();
  const cork = new TurnCork(stream);
  for (let i = 0; i < 3; i++) {
    cork.hold();
    stream.write(Buffer.from([i]));
  }
  await new Promise((resolve) => setImmediate(resolve));
  cork.hold();
  stream.write(Buffer.from([3]));
  stream.write(Buffer.from([4]));
  await new Promise((resolve) => setImmediate(resolve));
  expect(calls).toEqual([3, 2]);
});

test('writes queued in promise jobs of the same turn join the batch', async () => {
  const { stream, calls } = recorder();
  const cork = new TurnCork(stream);
  const send = (n: number): void => {
    cork.hold();
    stream.write(Buffer.from([n]));
  };
  send(0);
  await Promise.all([1, 2, 3].map(async (n) => send(await Promise.resolve(n))));
  await new Promise((resolve) => setImmediate(resolve));
  expect(calls).toEqual([4]);
});

test('writes from later ticks and other callbacks of the same turn join the batch too', async () => {
  const { stream, calls } = recorder();
  const cork = new TurnCork(stream);
  const send = (n: number): void => {
    cork.hold();
    stream.write(Buffer.from([n]));
  };
  // Two immediates run in one turn, as two I/O callbacks would; each has its own ticks.
  await new Promise<void>((resolve) => {
    setImmediate(() => {
      send(0);
      process.nextTick(() => send(1));
    });
    setImmediate(() => {
      send(2);
      resolve();
    });
  });
  await new Promise((resolve) => setImmediate(resolve));
  expect(calls).toEqual([3]);
});

test('a real socket delivers every byte, in order, across many corked turns', async () => {
  const received: Buffer[] = [];
  let ended!: () => void;
  const allReceived = new Promise<void>((resolve) => (ended = resolve));
  const server = createServer((socket) => socket.on('data', (chunk) => received.push(chunk)).on('end', () => (socket.end(), ended())));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client: Socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  client.setNoDelay(true);
  const cork = new TurnCork(client);
  const expected: number[] = [];
  for (let tick = 0; tick < 20; tick++) {
    for (let i = 0; i < 50; i++) {
      const byte = (tick * 50 + i) & 0xff;
      expected.push(byte);
      cork.hold();
      client.write(Buffer.from([byte]));
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  client.end();
  await allReceived;
  await new Promise((resolve) => server.close(resolve));
  expect([...Buffer.concat(received)]).toEqual(expected);
});
