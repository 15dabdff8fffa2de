/**
 * Read and write through the in-memory backend with the high-level API.
 * Run: pnpm --filter @mfio/core example   (or from the repo root: pnpm start)
 *
 * The backend is told to split every request into random fragments and complete them out of
 * order, as a kernel or a remote server may: the API still delivers exact bytes in order.
 */
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { MemoryBackend, MemoryFile, SeededRandom } from '@mfio/core';

const backend = new MemoryBackend({ maxFragments: 8, shuffle: true, seed: 2026 });
const file = new MemoryFile(0, { backend });

// Positional writes: many in flight at once, each owning its buffer until it completes.
const records = Array.from({ length: 1000 }, (_, i) => `record ${String(i).padStart(4, '0')}\n`);
await Promise.all(records.map((line, i) => file.writeAllAt(i * line.length, line)));
console.log(`wrote ${records.length} records concurrently: ${file.length} bytes`);

// One read, and a read past the end (short, not an error).
console.log(`readAt(13 * 12, 12) -> ${JSON.stringify((await file.readAt(13 * 12, 12)).toString())}`);
console.log(`readAt past the end -> ${(await file.readAt(file.length - 4, 100)).length} bytes`);

// A batch of random reads with one await.
const random = new SeededRandom(7);
const picks = Array.from({ length: 5 }, () => random.int(records.length));
const batch = await file.readMany(picks.map((i) => [i * 12, 11] as const));
console.log(`readMany of ${batch.count} records -> ${[...batch].map((b) => b.toString()).join(', ')}`);

// Streams: copy the file into another through a Node Readable and Writable.
const copy = new MemoryFile(0, { backend });
await pipeline(file.createReadStream({ chunkSize: 1024 }), copy.createWriteStream({ inFlight: 8 }));
const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
console.log(`stream copy: ${copy.length} bytes, sha256 ${sha(copy.bytes())} = ${sha(file.bytes())}`);

// Sync wrappers block on the backend instead of returning to the event loop.
console.log(`readAtSync(0, 11) -> ${JSON.stringify(file.readAtSync(0, 11).toString())}`);

// Errors carry Node-style codes.
await file.close();
await file.readAt(0, 1).catch((error: { code: string; message: string }) => console.log(`after close: ${error.code} (${error.message})`));
console.log(`fragments completed: ${backend.stats.completed}`);
