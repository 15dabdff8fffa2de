import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Tcp, TcpStream } from '@mfio/rt';
import type { SuiteContext } from './context.js';
import { largeFile } from './fixture.js';
import { HANG_MS, concurrent, sameBytes, sequential, track, within } from './helpers.js';

/** mfio runs at most 16 TCP pairs at a time. */
const AT_ONCE = 16;
const HOST = '127.0.0.1';
/** The reads {@link echo} keeps in flight are this long. */
const ECHO_CHUNK = 64 * 1024;

/** What the platform's sockets do wrong (ConformanceOptions.halfClose in index.ts). */
interface TcpQuirks {
  /** `true`: a peer's half-close leaves our pending writes alone, as TCP says; else why not. */
  halfClose: true | string;
}

/** A plain `node:net` server on 127.0.0.1:0 that hands each connection to `onSocket`; closed by `close`. */
async function nodeServer(onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined); // a test that resets the connection checks it from our side
    onSocket(socket);
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      // server.close waits for every connection: end the half-open ones the test left.
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  return { server, port, close };
}

/** Everything a `node:net` socket receives until the peer's FIN. */
function collect(socket: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => parts.push(chunk));
  return new Promise((resolve, reject) => {
    socket.on('end', () => resolve(Buffer.concat(parts)));
    socket.on('error', reject);
  });
}

/** An echo loop over our stream: 4 reads of 64 KiB in flight, each written back in order. */
async function echo(stream: TcpStream): Promise<void> {
  const size = ECHO_CHUNK;
  const reads: Array<Promise<Buffer>> = [];
  const issue = (): void => {
    const read = stream.read(size);
    read.catch(() => undefined);
    reads.push(read);
  };
  for (let i = 0; i < 4; i++) issue();
  for (;;) {
    const chunk = await reads.shift()!;
    if (chunk.length > 0) await stream.write(chunk);
    if (chunk.length < size) break; // end of stream
    issue();
  }
  await Promise.allSettled(reads);
}

/**
 * Half-close `socket` once `count` bytes of the echo came back, for a platform whose sockets lose
 * a write still pending when the peer half-closes (`halfClose`): the echo then has nothing in
 * flight when the FIN comes. After {@link HANG_MS} it half-closes anyway, so that bytes lost
 * on the way show as a short echo, not as a hang.
 */
function halfCloseOnceEchoed(socket: Socket, count: number): void {
  let received = 0;
  const end = (): void => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.end();
  };
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    if (received >= count) end();
  };
  const timer = setTimeout(end, HANG_MS);
  timer.unref();
  if (count === 0) end();
  else socket.on('data', onData);
}

/** Everything `stream` receives until it has `count` bytes (or the end of stream comes first). */
async function readAtLeast(stream: TcpStream, count: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  while (total < count) {
    const chunk = await stream.readSome(ECHO_CHUNK);
    if (chunk.length === 0) break;
    parts.push(chunk);
    total += chunk.length;
  }
  return Buffer.concat(parts, total);
}

function tcpOf(ctx: SuiteContext): Tcp {
  const tcp = ctx.subject.tcp;
  if (!tcp) throw new Error("The subject has no Tcp: pass { tcp: 'reason' } to skip the TCP cases");
  return tcp;
}

function sendCases(ctx: SuiteContext): Array<() => Promise<void>> {
  return ctx.fixture.files.map(({ path, data }) => async () => {
    // The server may hear of the connection only after the client wrote and closed (node:net
    // on Windows accepts late): wait for the connection, not for a variable set by it.
    let accepted!: (bytes: Promise<Buffer>) => void;
    const received = new Promise<Buffer>((resolve) => (accepted = (bytes) => resolve(bytes)));
    const peer = await nodeServer((socket) => accepted(collect(socket)));
    try {
      const stream = await tcpOf(ctx).connect(HOST, peer.port);
      await stream.write(data);
      await stream.close(); // closing flushes
      sameBytes(await received, data, `${path} sent`);
    } finally {
      await peer.close();
    }
  });
}

function receiveCases(ctx: SuiteContext): Array<() => Promise<void>> {
  return ctx.fixture.files.map(({ path, data }) => async () => {
    const peer = await nodeServer((socket) => socket.end(data));
    try {
      const stream = await tcpOf(ctx).connect(HOST, peer.port);
      sameBytes(await stream.readToEnd(), data, `${path} received`);
      await stream.close();
    } finally {
      await peer.close();
    }
  });
}

function echoClientCases(ctx: SuiteContext, quirks: TcpQuirks): Array<() => Promise<void>> {
  return ctx.fixture.files.map(({ path, data }) => async () => {
    const peer = await nodeServer((socket) => socket.pipe(socket));
    try {
      const stream = await tcpOf(ctx).connect(HOST, peer.port);
      let back: Buffer;
      if (quirks.halfClose === true) {
        // Our FIN goes out while the echo is still on its way back.
        const writing = stream.write(data).then(() => stream.shutdown('write'));
        [back] = await Promise.all([stream.readToEnd(), writing]);
      } else {
        // Where the echo server's own pending writes would lose their rest at our FIN (Wine):
        // half-close once every byte came back; the server's FIN still ends our reads.
        const writing = stream.write(data);
        const head = await within(readAtLeast(stream, data.length), HANG_MS, `the echo of ${path}`);
        await writing;
        stream.shutdown('write');
        back = Buffer.concat([head, await stream.readToEnd()]);
      }
      sameBytes(back, data, `${path} echoed by a node:net server`);
      await stream.close();
    } finally {
      await peer.close();
    }
  });
}

function echoServerCases(ctx: SuiteContext, quirks: TcpQuirks): Array<() => Promise<void>> {
  return ctx.fixture.files.map(({ path, data }) => async () => {
    const listener = await tcpOf(ctx).listen(HOST, 0);
    try {
      const socket = connect({ host: HOST, port: listener.localAddress().port, allowHalfOpen: true });
      const back = collect(socket);
      if (quirks.halfClose === true) {
        // The client's FIN follows its data at once: it reaches our reads while they are in
        // flight, and our writes while they wait for the client.
        socket.end(data);
      } else {
        // Where our own pending writes would lose their rest at the client's FIN (Wine): the
        // client half-closes once the echo caught up. echo() gives back each 64 KiB as it fills,
        // so all of it but the last partial chunk, which our reads end only at the FIN.
        socket.write(data);
        halfCloseOnceEchoed(socket, data.length - (data.length % ECHO_CHUNK));
      }
      const stream = await listener.accept();
      await echo(stream);
      await stream.close();
      sameBytes(await back, data, `${path} echoed by our server`);
    } finally {
      await listener.close();
    }
  });
}

/**
 * Registers the TCP cases (mfio's net suite, plus addresses, shutdown, errors, the Duplex).
 * `quirks` says what the platform's sockets do wrong (see ConformanceOptions.halfClose).
 */
export function tcpCases(ctx: SuiteContext, quirks: TcpQuirks = { halfClose: true }): void {
  describe('tcp', () => {
    ctx.test('connect to a node:net server; both sides agree on the addresses', async () => {
      let accepted!: Socket;
      const peer = await nodeServer((socket) => (accepted = socket));
      try {
        const stream = await tcpOf(ctx).connect(HOST, peer.port);
        expect(stream.remoteAddress()).toEqual({ address: HOST, port: peer.port, family: 'IPv4' });
        while (accepted === undefined) await new Promise((resolve) => setImmediate(resolve));
        expect(stream.localAddress().port).toBe(accepted.remotePort);
        await stream.close();
      } finally {
        await peer.close();
      }
    });

    ctx.test('listen: a node:net client is accepted through async iteration', async () => {
      const listener = await tcpOf(ctx).listen(HOST, 0);
      const { port, address } = listener.localAddress();
      expect(address).toBe(HOST);
      const socket = connect({ host: HOST, port });
      await once(socket, 'connect');
      for await (const stream of listener) {
        expect(stream.remoteAddress().port).toBe(socket.localPort);
        expect(stream.localAddress().port).toBe(port);
        await stream.close();
        break;
      }
      socket.destroy();
      await listener.close();
    });

    ctx.test('send, sequentially', () => sequential(sendCases(ctx)));
    ctx.test(`send, ${AT_ONCE} at a time`, () => concurrent(sendCases(ctx), AT_ONCE));
    ctx.test('receive, sequentially', () => sequential(receiveCases(ctx)));
    ctx.test(`receive, ${AT_ONCE} at a time`, () => concurrent(receiveCases(ctx), AT_ONCE));
    ctx.test('echo client against a node:net echo server, sequentially', () => sequential(echoClientCases(ctx, quirks)));
    ctx.test(`echo client, ${AT_ONCE} at a time`, () => concurrent(echoClientCases(ctx, quirks), AT_ONCE));
    ctx.test('echo server for node:net clients, sequentially', () => sequential(echoServerCases(ctx, quirks)));
    ctx.test(`echo server, ${AT_ONCE} at a time`, () => concurrent(echoServerCases(ctx, quirks), AT_ONCE));

    ctx.test('a write still waiting for the peer when it half-closes goes out in full', async () => {
      // 32 MiB: more than the socket buffers of both sides hold, so the write waits for the
      // client, which reads nothing until after its FIN. A half-close ends only the client's
      // direction: our read sees the end, and every byte of our write must still arrive. (Wine 8
      // completes the waiting send at the FIN with part of it sent: node:net then reports the
      // write done, a backend that gets the count sends the rest.)
      const data = largeFile(0, 32 << 20);
      const listener = await tcpOf(ctx).listen(HOST, 0);
      try {
        const socket = connect({ host: HOST, port: listener.localAddress().port, allowHalfOpen: true });
        const back = collect(socket);
        socket.pause();
        const stream = await listener.accept();
        const writing = track(stream.write(data));
        const ended = stream.read(1);
        await new Promise((resolve) => setTimeout(resolve, 100)); // the buffers are full by now
        expect(writing.settled).toBe(false);
        socket.end();
        expect((await ended).length).toBe(0);
        socket.resume();
        expect((await writing.outcome).status).toBe('fulfilled');
        await stream.close();
        sameBytes(await back, data, 'the write pending at the half-close');
      } finally {
        await listener.close();
      }
    });

    ctx.test('reads complete in order, each when full or at end of stream', async () => {
      const peer = await nodeServer((socket) => {
        socket.write('abc');
        setTimeout(() => socket.end('defgh'), 20);
      });
      try {
        const stream = await tcpOf(ctx).connect(HOST, peer.port);
        const first = stream.read(4);
        const second = stream.read(10);
        const third = stream.read(10);
        expect((await first).toString()).toBe('abcd');
        expect((await second).toString()).toBe('efgh');
        expect((await third).length).toBe(0);
        await stream.close();
      } finally {
        await peer.close();
      }
    });

    ctx.test("shutdown('write') ends the peer's reads; later writes fail with EPIPE; reads go on", async () => {
      const peer = await nodeServer((socket) => void collect(socket).then((data) => socket.end(Buffer.concat([data, data]))));
      try {
        const stream = await tcpOf(ctx).connect(HOST, peer.port);
        await stream.write('ping');
        stream.shutdown('write');
        await expect(stream.write('more')).rejects.toMatchObject({ code: 'EPIPE' });
        expect((await stream.readToEnd()).toString()).toBe('pingping');
        await stream.close();
      } finally {
        await peer.close();
      }
    });

    ctx.test('connecting to a port nothing listens on fails with ECONNREFUSED', async () => {
      // The local port of a live client socket: bound, never listening, and not handed to
      // anyone else while the socket lives (a just-closed server's port could be reused).
      const peer = await nodeServer(() => undefined);
      const client = connect({ host: HOST, port: peer.port });
      try {
        await once(client, 'connect');
        await expect(tcpOf(ctx).connect(HOST, client.localPort!)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      } finally {
        client.destroy();
        await peer.close();
      }
    });

    ctx.test("shutdown('read'): pending and later reads see end of stream; writes go on", async () => {
      let received!: Promise<Buffer>;
      let peerSocket!: Socket;
      const peer = await nodeServer((socket) => {
        peerSocket = socket;
        received = collect(socket);
      });
      try {
        const stream = await tcpOf(ctx).connect(HOST, peer.port);
        const pending = stream.read(10);
        stream.shutdown('read');
        expect((await pending).length).toBe(0);
        expect((await stream.read(10)).length).toBe(0);
        await stream.write('still');
        stream.shutdown('write');
        while (peerSocket === undefined) await new Promise((resolve) => setImmediate(resolve));
        expect((await received).toString()).toBe('still');
        await stream.close();
      } finally {
        await peer.close();
      }
    });

    ctx.test("shutdown('both'): reads see end of stream, writes fail with EPIPE, the peer sees end of stream", async () => {
      let received!: Promise<Buffer>;
      let peerSocket!: Socket;
      const peer = await nodeServer((socket) => {
        peerSocket = socket;
        received = collect(socket);
      });
      try {
        const stream = await tcpOf(ctx).connect(HOST, peer.port);
        await stream.write('last');
        stream.shutdown('both');
        expect((await stream.read(10)).length).toBe(0);
        await expect(stream.write('more')).rejects.toMatchObject({ code: 'EPIPE' });
        while (peerSocket === undefined) await new Promise((resolve) => setImmediate(resolve));
        expect((await received).toString()).toBe('last');
        await stream.close();
      } finally {
        await peer.close();
      }
    });

    ctx.test('Duplex destroy() does not wait for a peer that never reads: pending writes fail, the stream closes', async () => {
      const peer = await nodeServer((socket) => socket.pause());
      try {
        const stream = await tcpOf(ctx).connect(HOST, peer.port);
        const duplex = stream.toDuplex();
        duplex.on('error', () => undefined);
        const wrote = new Promise<Error | null | undefined>((resolve) => duplex.write(Buffer.alloc(64 << 20), resolve));
        await new Promise((resolve) => setTimeout(resolve, 100));
        const closed = once(duplex, 'close');
        duplex.destroy();
        await closed;
        expect(await wrote).toBeInstanceOf(Error);
        expect(stream.closed).toBe(true);
        await expect(stream.read(1)).rejects.toMatchObject({ code: 'EBADF' });
      } finally {
        await peer.close();
      }
    });

    ctx.test('Duplex: a reset by the peer errors the pipeline with ECONNRESET and closes the stream', async () => {
      let accepted: Socket | undefined;
      const peer = await nodeServer((socket) => {
        accepted = socket;
        socket.write('some bytes');
      });
      try {
        const stream = await tcpOf(ctx).connect(HOST, peer.port);
        // The reset comes 50 ms after the pipeline has the bytes, so it reaches a stream that is
        // reading, with its next read waiting (Wine's WSARecv posted after a reset reads an end of
        // stream, as the case below says). Timed from the peer's write instead, one run under
        // qemu's arm64 emulation (libuv backend) saw an end of stream.
        let reset = false;
        const sink = new Writable({
          write: (_chunk, _e, cb) => {
            if (!reset) {
              reset = true;
              setTimeout(() => accepted!.resetAndDestroy(), 50);
            }
            cb();
          },
        });
        await expect(pipeline(stream.toDuplex(), sink)).rejects.toMatchObject({ code: 'ECONNRESET' });
        expect(stream.closed).toBe(true);
      } finally {
        await peer.close();
      }
    });

    ctx.test('a reset that arrives before the first read fails that read with ECONNRESET, not end of stream', async () => {
      let accepted: Socket | undefined;
      const peer = await nodeServer((socket) => (accepted = socket));
      try {
        const stream = await tcpOf(ctx).connect(HOST, peer.port);
        while (accepted === undefined) await new Promise((resolve) => setImmediate(resolve));
        const peerSocket = accepted;
        const reset = once(peerSocket, 'close');
        // As in the Duplex case above, with our side slow to read: the reset comes 50 ms after
        // the bytes, and both arrive before anything here reads.
        peerSocket.write('some bytes', () => setTimeout(() => peerSocket.resetAndDestroy(), 50));
        await reset;
        // Let the reset reach our side before anything reads (a stream that read only when
        // asked took it for an orderly close here).
        await new Promise((resolve) => setTimeout(resolve, 100));
        await expect(stream.readToEnd()).rejects.toMatchObject({ code: 'ECONNRESET' });
        await stream.close();
      } finally {
        await peer.close();
      }
    });

    ctx.test('use after close rejects with EBADF; a pending read fails with ECANCELED', async () => {
      const peer = await nodeServer(() => undefined);
      try {
        const stream = await tcpOf(ctx).connect(HOST, peer.port);
        const pending = expect(stream.read(10)).rejects.toMatchObject({ code: 'ECANCELED' });
        await stream.close();
        await pending;
        expect(stream.closed).toBe(true);
        await expect(stream.read(1)).rejects.toMatchObject({ code: 'EBADF' });
        await expect(stream.write('x')).rejects.toMatchObject({ code: 'EBADF' });
        expect(() => stream.shutdown('both')).toThrow(expect.objectContaining({ code: 'EBADF' }));
      } finally {
        await peer.close();
      }
    });

    ctx.test('an aborted read rejects with ABORT_ERR at once; the stream goes on with the next read', async () => {
      let peerSocket!: Socket;
      const peer = await nodeServer((socket) => (peerSocket = socket));
      try {
        const stream = await tcpOf(ctx).connect(HOST, peer.port);
        const controller = new AbortController();
        const aborted = stream.read(10, { signal: controller.signal });
        controller.abort();
        const error = (await aborted.catch((e: unknown) => e)) as { code: string; released?: Promise<void> };
        expect(error).toMatchObject({ code: 'ABORT_ERR' });
        await error.released; // the backend let go of the buffer
        while (peerSocket === undefined) await new Promise((resolve) => setImmediate(resolve));
        peerSocket.end('after');
        expect((await stream.readToEnd()).toString()).toBe('after');
        await stream.close();
      } finally {
        await peer.close();
      }
    });

    ctx.test('an aborted read that had received some bytes gives them back: the next read gets them first', async () => {
      let peerSocket!: Socket;
      const peer = await nodeServer((socket) => (peerSocket = socket));
      try {
        const stream = await tcpOf(ctx).connect(HOST, peer.port);
        while (peerSocket === undefined) await new Promise((resolve) => setImmediate(resolve));
        const controller = new AbortController();
        const aborted = stream.read(10, { signal: controller.signal });
        peerSocket.write('abc');
        await new Promise((resolve) => setTimeout(resolve, 100)); // 'abc' is in the read by now
        controller.abort();
        const error = (await aborted.catch((e: unknown) => e)) as { code: string; released?: Promise<void> };
        expect(error).toMatchObject({ code: 'ABORT_ERR' });
        await error.released;
        peerSocket.end('def');
        expect((await stream.readToEnd()).toString()).toBe('abcdef');
        await stream.close();
      } finally {
        await peer.close();
      }
    });

    ctx.test('closing a listener ends its iteration and rejects pending accepts', async () => {
      const listener = await tcpOf(ctx).listen(HOST, 0);
      const pending = expect(listener.accept()).rejects.toMatchObject({ code: 'ECANCELED' });
      const iteration = (async () => {
        for await (const stream of listener) await stream.close();
        return 'ended';
      })();
      await listener.close();
      await pending;
      await expect(iteration).resolves.toBe('ended');
      await expect(listener.accept()).rejects.toMatchObject({ code: 'EBADF' });
    });

    ctx.test('the Duplex adapter pipes through a node:net echo server', async () => {
      const peer = await nodeServer((socket) => socket.pipe(socket));
      try {
        const stream = await tcpOf(ctx).connect(HOST, peer.port);
        const data = ctx.fixture.files.find((f) => f.path === 'src/native/impls/thread.ts')!.data;
        const duplex = stream.toDuplex();
        const parts: Buffer[] = [];
        await Promise.all([
          pipeline(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), duplex),
          pipeline(duplex, new Writable({ write: (chunk: Buffer, _e, cb) => (parts.push(chunk), cb()) })),
        ]);
        sameBytes(Buffer.concat(parts), data, 'through the Duplex');
        expect(stream.closed).toBe(true);
      } finally {
        await peer.close();
      }
    });
  });
}
