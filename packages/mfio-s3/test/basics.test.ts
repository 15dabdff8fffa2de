import { awaitPacket, readMany, sendView } from '@mfio/core';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Fs } from '../src/index.js';
import { bucketName, connect, createBucket, describeS3, putObject, sdkClient } from './support/cluster-env.js';

describeS3('S3Fs basics', (cluster) => {
  let client: S3Client;
  let fs: S3Fs;
  const bucket = bucketName('basics');
  const data = Buffer.alloc(3 << 20);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 11)) & 0xff;

  beforeAll(async () => {
    client = sdkClient(cluster);
    await createBucket(client, bucket);
    await putObject(client, bucket, 'dir/data.bin', data);
    fs = await connect(cluster, bucket, { maxRangeSize: 1 << 20 });
  });
  afterAll(async () => {
    await fs?.close();
    client?.destroy();
  });

  test('readAt reads a range; past the end is short', async () => {
    const file = await fs.open('dir/data.bin');
    expect(Buffer.from(await file.readAt(1000, 100))).toEqual(data.subarray(1000, 1100));
    expect((await file.readAt(data.length - 10, 100)).length).toBe(10);
    expect((await file.readAt(data.length + 10, 100)).length).toBe(0);
    await file.close();
  });

  test('a large read goes out as several GETs and comes back whole', async () => {
    const file = await fs.open('dir/data.bin');
    expect(Buffer.from(await file.readAt(5, data.length - 5)).equals(data.subarray(5))).toBe(true);
    await file.close();
  });

  test("a large read's packet completes in fragments as its bytes arrive", async () => {
    const file = await fs.open('dir/data.bin');
    const buffer = new Uint8Array(2 << 20);
    const fragments: number[] = [];
    // 2 MiB over 1 MiB GETs (maxRangeSize above) reporting every 256 KiB (the default fragmentSize).
    const result = await awaitPacket(
      buffer,
      'read',
      (packet) => sendView(file, 4096, packet.view()),
      undefined,
      (_view, n) => void fragments.push(n),
    );
    expect(result).toEqual({ transferred: buffer.length, error: null });
    expect(Buffer.from(buffer).equals(data.subarray(4096, 4096 + buffer.length))).toBe(true);
    // More fragments than GETs: each GET reported its bytes in pieces (how many depends on how
    // the socket's reads cut the body: up to 4 per GET here).
    expect(fragments.length).toBeGreaterThan(2);
    await file.close();
  });

  test('readMany returns every request, coalesced or not', async () => {
    const file = await fs.open('dir/data.bin');
    const requests: Array<[number, number]> = [
      [0, 10],
      [20, 10],
      [2 << 20, 4096],
      [5, 100],
      [data.length - 4, 100],
    ];
    const result = await readMany(file, requests);
    requests.forEach(([pos, len], i) => expect(Buffer.from(result.at(i))).toEqual(data.subarray(pos, Math.min(pos + len, data.length))));
    await file.close();
  });

  test('readDir lists files and directories; metadata via HEAD', async () => {
    const entries = [];
    for await (const e of fs.currentDir().readDir()) entries.push(e);
    expect(entries).toEqual([{ name: 'dir', type: 'dir' }]);
    const meta = await fs.currentDir().metadata('dir/data.bin');
    expect(meta.len).toBe(data.length);
    expect(meta.type).toBe('file');
    expect((await fs.currentDir().metadata('dir')).type).toBe('dir');
    await expect(fs.currentDir().metadata('nope')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test("keys with spaces, '+', '%', '&' and non-ASCII letters: signed, listed and read as they are", async () => {
    const name = 'odd dir/ä+b%20c&d=é.bin';
    await putObject(client, bucket, name, Buffer.from('odd'));
    const file = await fs.open(name);
    expect(Buffer.from(await file.readAt(0, 3)).toString()).toBe('odd');
    await file.close();
    const names = [];
    for await (const e of (await fs.currentDir().openDir('odd dir')).readDir()) names.push(e.name);
    expect(names).toEqual(['ä+b%20c&d=é.bin']);
    await fs.currentDir().removeDirAll('odd dir');
  });

  test('readDir follows every page of the listing', async () => {
    const small = await connect(cluster, bucket, { listPageSize: 3 });
    const keys = Array.from({ length: 10 }, (_, i) => `paged/f${i}`);
    await Promise.all([...keys, 'paged/sub/x', 'paged/tub/y'].map((key) => putObject(client, bucket, key, Buffer.from('p'))));
    const names = [];
    for await (const e of (await small.currentDir().openDir('paged')).readDir()) names.push(`${e.name}:${e.type}`);
    expect(names.sort()).toEqual([...keys.map((k) => `${k.slice(6)}:file`), 'sub:dir', 'tub:dir'].sort());
    await small.currentDir().removeDirAll('paged');
    await small.close();
  });

  test('write a new object, read it back', async () => {
    const file = await fs.open('new.bin', { write: true, create: true });
    await file.writeAllAt(0, data.subarray(0, 1000));
    await file.writeAllAt(1000, data.subarray(1000, 2000));
    await file.close(); // a write elsewhere would abandon the object (writes.test.ts)
    const back = await fs.open('new.bin');
    expect(Buffer.from(await back.readToEnd()).equals(data.subarray(0, 2000))).toBe(true);
    await back.close();
  });
});
