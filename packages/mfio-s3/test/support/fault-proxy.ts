/**
 * A small HTTP proxy on 127.0.0.1 in front of radosgw that injects faults, for the retry and
 * abort tests. It forwards each request as it is (the Host header too, so SigV4 signatures made
 * for the proxy's address still match at radosgw), except when its `plan` says otherwise:
 * - `'503'`: answer 503 SlowDown (S3's throttling) without forwarding;
 * - `'cut'`: forward, then destroy the client's socket after `cutAfter` bytes of the body;
 * - `'trickle'`: forward the body in `trickleBytes` pieces, `trickleMs` apart.
 * It logs what it did to each request, and counts the responses whose client went away before
 * they were whole (to see an aborted request dropped).
 */
import { request as httpRequest, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault = 'pass' | '503' | 'cut' | 'trickle';

export interface FaultProxyOptions {
  /** Decides each request's fault from its method and (0-based) number among the requests seen. */
  plan(method: string, index: number): Fault;
  cutAfter?: number;
  trickleBytes?: number;
  trickleMs?: number;
}

export interface FaultProxy {
  readonly endpoint: string;
  /** What happened to each request, in order. */
  readonly log: Fault[];
  /** Client sockets closed so far (by either side). */
  readonly socketsClosed: number;
  /** Client sockets open now. */
  readonly socketsOpen: number;
  /** Responses whose client went away before they were sent whole (an aborted request). */
  readonly dropped: number;
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: string, options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(upstream);
  const log: Fault[] = [];
  const sockets = new Set<Socket>();
  let closed = 0;
  let dropped = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const fault = options.plan(req.method ?? 'GET', log.length);
    log.push(fault);
    if (fault === '503') {
      req.resume();
      const body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
      res.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const upstreamReq = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      if (fault === 'pass') {
        upstreamRes.pipe(res);
        return;
      }
      let sent = 0;
      const cutAfter = options.cutAfter ?? 64 * 1024;
      upstreamRes.on('data', (chunk: Buffer) => {
        if (fault === 'cut') {
          const room = cutAfter - sent;
          if (room <= 0) return;
          res.write(chunk.subarray(0, room));
          sent += Math.min(room, chunk.length);
          if (sent >= cutAfter) {
            upstreamRes.destroy();
            // Let the written bytes leave before the socket goes (a reset mid-body, as a crash).
            setTimeout(() => req.socket.destroy(), 20);
          }
          return;
        }
        // trickle: hold the upstream while pieces go out slowly.
        upstreamRes.pause();
        const size = options.trickleBytes ?? 16 * 1024;
        const pieces: Buffer[] = [];
        for (let i = 0; i < chunk.length; i += size) pieces.push(chunk.subarray(i, i + size));
        const sendNext = (): void => {
          if (res.destroyed) return;
          const piece = pieces.shift();
          if (piece === undefined) {
            upstreamRes.resume();
            return;
          }
          res.write(piece);
          setTimeout(sendNext, options.trickleMs ?? 20);
        };
        sendNext();
      });
      upstreamRes.on('end', () => {
        if (fault === 'trickle') {
          const finish = (): void => {
            if (upstreamRes.isPaused()) setTimeout(finish, 5);
            else res.end();
          };
          finish();
        } else if (fault !== 'cut') res.end();
      });
    });
    upstreamReq.on('error', () => res.destroy());
    req.pipe(upstreamReq);
    res.on('close', () => {
      if (!res.writableFinished) dropped++;
      upstreamReq.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      closed++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    log,
    get socketsClosed() {
      return closed;
    },
    get socketsOpen() {
      return sockets.size;
    },
    get dropped() {
      return dropped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
