import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SeededRandom } from '@mfio/core';
import type { FileHandle } from '@mfio/rt';
import { NetFs } from '../src/index.js';
import { startServer, type TestServer } from './support/servers.js';

const CLIENTS = 32;
const REQUESTS = 1000;
const SPAN = 256 * 1024;

/** Compare with a message naming the first differing byte. */
function same(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  const i = actual.findIndex((byte, k) => byte !== expected[k]);
  if (i >= 0) throw new Error(`${what}: first difference at byte ${i}`);
}

/**
 * One client's run: rounds of up to 16 concurrent requests on disjoint ranges of its own file
 * (writes, reads checked against a model), reads of a shared file, and between rounds a
 * metadata, setLen, sync or directory request. Returns the number of requests made.
 */
async function clientRun(fs: NetFs, index: number, shared: Buffer): Promise<number> {
  const random = new SeededRandom(1000 + index);
  const dir = `client-${index}`;
  await fs.currentDir().createDir(dir);
  const file: FileHandle = await fs.open(`${dir}/own.bin`, { read: true, write: true, createNew: true });
  const sharedFile = await fs.open('shared.bin');
  let model = Buffer.alloc(0);
  let requests = 3;
  while (requests < REQUESTS - 2) {
    const taken: Array<[number, number]> = [];
    const ops: Array<() => Promise<void>> = [];
    const writes: Array<[number, Buffer]> = [];
    const count = Math.min(random.range(1, 16), REQUESTS - 2 - requests);
    const lengthBefore = model.length;
    for (let k = 0; k < count; k++) {
      const kind = random.int(3);
      if (kind === 2) {
        const position = random.int(shared.length);
        const length = random.range(1, 16384);
        ops.push(async () =>
          same(await sharedFile.readAt(position, length), shared.subarray(position, position + length), `client ${index} shared read at ${position}`),
        );
        continue;
      }
      const position = random.int(SPAN);
      const length = random.range(1, 8192);
      if (taken.some(([a, b]) => position < b && a < position + length)) continue;
      taken.push([position, position + length]);
      if (kind === 0) {
        const data = Buffer.from(random.bytes(length));
        writes.push([position, data]);
        ops.push(() => file.writeAllAt(position, data));
      } else {
        // A read beyond the old end could see a concurrent extension: stay within it.
        const end = Math.min(position + length, lengthBefore);
        if (end <= position) continue;
        ops.push(async () => same(await file.readAt(position, end - position), model.subarray(position, end), `client ${index} read at ${position}`));
      }
    }
    await Promise.all(ops.map((op) => op()));
    requests += ops.length;
    for (const [position, data] of writes) {
      if (position + data.length > model.length) model = Buffer.concat([model, Buffer.alloc(position + data.length - model.length)]);
      data.copy(model, position);
    }
    switch (random.int(5)) {
      case 0:
        if ((await file.metadata()).len !== model.length) throw new Error(`client ${index}: metadata length differs from the model`);
        break;
      case 1: {
        const length = random.int(SPAN);
        await file.setLen(length);
        model = length <= model.length ? Buffer.from(model.subarray(0, length)) : Buffer.concat([model, Buffer.alloc(length - model.length)]);
        break;
      }
      case 2:
        await file.sync();
        break;
      case 3: {
        const names: string[] = [];
        for await (const entry of (await fs.currentDir().openDir(dir)).readDir()) names.push(entry.name);
        if (names.join() !== 'own.bin') throw new Error(`client ${index}: directory lists ${names.join()}`);
        requests += 1; // openDir's metadata; the listing is counted below
        break;
      }
      default:
        if ((await fs.currentDir().metadata(`${dir}/own.bin`)).len !== model.length) throw new Error(`client ${index}: stat length differs`);
    }
    requests += 1;
  }
  same(await file.readToEnd(), model, `client ${index}: the whole file at the end`);
  await file.close();
  await sharedFile.close();
  return requests + 2;
}

describe(`${CLIENTS} clients × ${REQUESTS} mixed requests`, () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  test('every byte read matches, on the wire and on the server disk', async () => {
    const shared = Buffer.from(new SeededRandom(99).bytes(1 << 20));
    await writeFile(join(s.root, 'shared.bin'), shared);
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => NetFs.connect({ port: s.port })));
    try {
      const counts = await Promise.all(clients.map((fs, i) => clientRun(fs, i, shared)));
      for (const count of counts) expect(count).toBeGreaterThanOrEqual(REQUESTS);
      // What each client left on the server's disk is what its model says.
      for (let i = 0; i < CLIENTS; i++) {
        const back = await clients[i]!.open(`client-${i}/own.bin`);
        const viaClient = await back.readToEnd();
        await back.close();
        same(await readFile(join(s.root, `client-${i}`, 'own.bin')), viaClient, `client ${i} on disk`);
      }
    } finally {
      await Promise.all(clients.map((fs) => fs.close()));
    }
  }, 120_000); // ~12 s alone; room for a CI machine running other packages' tests beside it
});
