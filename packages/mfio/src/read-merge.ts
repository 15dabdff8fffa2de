import { constants as bufferConstants } from 'node:buffer';
import { MfioError } from './errors.js';

/**
 * Merging of {@link readMany} requests (as glommio's `DmaFile::read_many` and Arrow's
 * `coalesce_ranges` do): requests close together in the file become one read, which lands in
 * the caller's result buffer when its requests also sit back to back there (a sequential scan),
 * or in a scratch buffer whose bytes are copied out to each request otherwise.
 */

/** How far merging may go (validated {@link ReadManyOptions}). */
export interface MergeLimits {
  /** No merged read is longer; 0 turns merging off. */
  readonly maxMergedSize: number;
  /** The longest run of unrequested bytes a merged read may cover to join two requests. */
  readonly maxGap: number;
}

/**
 * Reads sharing one destination buffer: read `lengths[e]` bytes at `positions[e]` into `buffer`
 * at `offsets[e]`. Run by readMany as a ReadBatch or as one packet; the run fills `got` (bytes
 * read contiguously from each read's start) and `errors` (the failure of each failed read).
 */
export class ReadPart {
  readonly positions: Float64Array;
  readonly lengths: Float64Array;
  readonly offsets: Float64Array;
  readonly buffer: Buffer;
  got: Float64Array;
  errors: Array<MfioError | undefined> | null = null;

  constructor(count: number, buffer: Buffer) {
    this.positions = new Float64Array(count);
    this.lengths = new Float64Array(count);
    this.offsets = new Float64Array(count);
    this.buffer = buffer;
    this.got = new Float64Array(0); // set by the run
  }
}

/**
 * The reads that replace a batch of requests. Lone requests and merged runs that are back to
 * back in both the file and the result buffer read into the result buffer (`direct`, in buffer
 * order); every other merged run reads into `scratch`. Request `i` (of nonzero length) belongs
 * to read `entry[group[i]]`: `e >= 0` is `direct`'s read `e`, `e < 0` is `scratch`'s read `~e`.
 */
export interface MergePlan {
  readonly direct: ReadPart | null;
  readonly scratch: ReadPart | null;
  readonly group: Int32Array;
  readonly entry: Int32Array;
}

/**
 * Sorting scratch, kept between calls (planning is synchronous, so one set serves every batch)
 * up to {@link KEEP} requests, so the no-merge path allocates nothing per request.
 */
const KEEP = 1 << 16;
const kept = { order: new Uint32Array(0), swap: new Uint32Array(0) };
/** Below this many requests a comparison sort beats the radix sort's fixed cost. */
const RADIX_FROM = 256;
const keys = new Float64Array(RADIX_FROM);
/** One 256-bucket histogram per byte of a 53-bit position. */
const histograms = new Uint32Array(7 * 256);
const TWO_32 = 2 ** 32;

/**
 * One scratch buffer kept for the next merged batch, up to this size: fresh memory costs a page
 * fault per page on its first write, which for a batch reading through megabytes of scratch
 * costs more than the reads merging saved.
 */
const SPARE_MAX = 4 << 20;
let spare: Buffer | null = null;

/** `size` bytes of scratch (uninitialised: only bytes a read wrote are ever copied out). */
function takeScratch(size: number): Buffer {
  const kept = spare;
  if (kept !== null && kept.length >= size) {
    spare = null;
    return kept.length === size ? kept : kept.subarray(0, size);
  }
  return Buffer.allocUnsafeSlow(size);
}

/** Keep `part`'s buffer for the next batch once no backend holds it any more. */
export function giveBackScratch(part: ReadPart): void {
  const whole = part.buffer.length === part.buffer.buffer.byteLength ? part.buffer : Buffer.from(part.buffer.buffer, 0, part.buffer.buffer.byteLength);
  if (whole.length <= SPARE_MAX && (spare === null || spare.length < whole.length)) spare = whole;
}

/** `count` entries of kept scratch (a new array past {@link KEEP}). */
function keptArray(name: keyof typeof kept, count: number): Uint32Array {
  if (count > KEEP) return new Uint32Array(count);
  if (kept[name].length < count) kept[name] = new Uint32Array(Math.min(KEEP, Math.max(count, 2 * kept[name].length)));
  return kept[name].subarray(0, count);
}

/**
 * Merging must save at least one read in this many, or the batch is read as it is. Planning
 * and scattering cost ~30 ns a request (beyond the sort), a read saved ~1 µs (io_uring, page
 * cache) less the copy out of scratch (~0.3 µs for 4 KiB): below one in 16 to one in 32 saved,
 * a random batch where a few requests happen to overlap is cheaper read as it is.
 */
const WORTH = 16;

/**
 * The merged reads for a batch, or null when merging would save fewer than one read in
 * {@link WORTH} (then readMany runs the batch as it is). Zero-length requests never take part.
 * Costs one pass when the positions ascend; otherwise a sort (see {@link sortedOrder}).
 */
export function planMerge(positions: Float64Array, wanted: Float64Array, offsets: Float64Array, buffer: Buffer, limits: MergeLimits): MergePlan | null {
  const n = positions.length;
  const { maxMergedSize, maxGap } = limits;
  if (maxMergedSize === 0 || n < 2) return null;
  // One pass in request order: while the positions ascend, request order is file order and
  // the pass counts the reads merging saves (none, for random reads, as the first descent
  // stops it).
  let start = -Infinity;
  let end = -Infinity;
  let previous = -Infinity;
  let count = 0;
  let saved = 0;
  let ascending = true;
  for (let i = 0; i < n; i++) {
    const len = wanted[i]!;
    if (len === 0) continue;
    const pos = positions[i]!;
    if (pos < previous) {
      ascending = false;
      break;
    }
    previous = pos;
    count++;
    const stop = pos + len;
    if (joins(pos, stop, start, end, maxGap, maxMergedSize)) {
      saved++;
      if (stop > end) end = stop;
    } else {
      start = pos;
      end = stop;
    }
  }
  let order: Uint32Array;
  if (ascending) {
    if (saved * WORTH < count || saved === 0) return null;
    order = ascendingOrder(wanted, count);
  } else {
    order = sortedOrder(positions, wanted);
    saved = savedReads(order, positions, wanted, limits);
    if (saved * WORTH < order.length || saved === 0) return null;
  }
  return buildPlan(order, positions, wanted, offsets, buffer, limits);
}

/** The `count` nonzero requests, in request order (which is the file order). */
function ascendingOrder(wanted: Float64Array, count: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0, k = 0; i < wanted.length; i++) if (wanted[i] !== 0) order[k++] = i;
  return order;
}

/**
 * The nonzero requests by position, ties by index (a view on kept scratch: use it before the
 * next call). Few requests: each packed with its index into one number (`position * n + i`,
 * exact below 2^53) and sorted by the typed array's own sort, with no comparator call. Many,
 * or positions too large to pack: an LSD radix sort on the bytes of `position - min`, with
 * every histogram made in one pass and bytes that all requests share skipped. Planning 4,096
 * random requests here cost 34-44 ns a request with it, 76-101 with the packed sort.
 */
export function sortedOrder(positions: Float64Array, wanted: Float64Array): Uint32Array {
  const n = positions.length;
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    if (wanted[i] === 0) continue;
    count++;
    const pos = positions[i]!;
    if (pos < min) min = pos;
    if (pos > max) max = pos;
  }
  const order = keptArray('order', count);
  if (count < RADIX_FROM && (max + 1) * n <= Number.MAX_SAFE_INTEGER) {
    const packed = keys.subarray(0, count);
    for (let i = 0, k = 0; i < n; i++) if (wanted[i] !== 0) packed[k++] = positions[i]! * n + i;
    packed.sort();
    for (let k = 0; k < count; k++) {
      // The index back, without `%` (several times slower here). The floor is exact: below
      // 2^53 the quotient's rounding error (under key / n / 2^53) is less than 1 / n.
      const key = packed[k]!;
      order[k] = key - Math.floor(key / n) * n;
    }
    return order;
  }
  for (let i = 0, k = 0; i < n; i++) if (wanted[i] !== 0) order[k++] = i;
  return radixSort(order, keptArray('swap', count), positions, min, max - min);
}

/** The byte of `rel` (an integer below 2^53) at `byte` (0 lowest). */
function byteOf(rel: number, byte: number): number {
  return byte < 4 ? (rel >>> (8 * byte)) & 255 : ((rel / TWO_32) >>> (8 * (byte - 4))) & 255;
}

/** Sort `order` (indices) by `positions[i] - min`, stably; returns the array holding the result. */
function radixSort(order: Uint32Array, swap: Uint32Array, positions: Float64Array, min: number, range: number): Uint32Array {
  const count = order.length;
  let bytes = 0;
  while (bytes < 7 && range >= 2 ** (8 * bytes)) bytes++;
  histograms.fill(0, 0, bytes * 256);
  for (let k = 0; k < count; k++) {
    const rel = positions[order[k]!]! - min;
    for (let b = 0; b < bytes; b++) histograms[b * 256 + byteOf(rel, b)]!++;
  }
  let from = order;
  let to = swap;
  for (let b = 0; b < bytes; b++) {
    const base = b * 256;
    // Bucket starts; a byte every request shares leaves the order as it is.
    let sum = 0;
    let shared = false;
    for (let v = base; v < base + 256; v++) {
      const c = histograms[v]!;
      if (c === count) {
        shared = true;
        break;
      }
      histograms[v] = sum;
      sum += c;
    }
    if (shared) continue;
    for (let k = 0; k < count; k++) {
      const i = from[k]!;
      to[histograms[base + byteOf(positions[i]! - min, b)]!++] = i;
    }
    const t = from;
    from = to;
    to = t;
  }
  return from;
}

/** How many reads merging `order` (requests by position) saves: requests that join a group. */
function savedReads(order: Uint32Array, positions: Float64Array, wanted: Float64Array, { maxMergedSize, maxGap }: MergeLimits): number {
  let start = -Infinity;
  let end = -Infinity;
  let saved = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const pos = positions[i]!;
    const stop = pos + wanted[i]!;
    if (joins(pos, stop, start, end, maxGap, maxMergedSize)) {
      saved++;
      if (stop > end) end = stop;
    } else {
      start = pos;
      end = stop;
    }
  }
  return saved;
}

/** Group `order` (nonzero requests by position) greedily into merged reads, and lay them out. */
function buildPlan(
  order: Uint32Array,
  positions: Float64Array,
  wanted: Float64Array,
  offsets: Float64Array,
  buffer: Buffer,
  limits: MergeLimits,
): MergePlan | null {
  const { maxMergedSize, maxGap } = limits;
  const count = order.length;
  const group = new Int32Array(positions.length);
  const groupStart = new Float64Array(count);
  const groupEnd = new Float64Array(count);
  // 1: lands in the result buffer (alone, or back to back in file and buffer); 0: in scratch.
  const direct = new Uint8Array(count);
  let g = -1;
  let last = -1;
  for (let k = 0; k < count; k++) {
    const i = order[k]!;
    const pos = positions[i]!;
    const stop = pos + wanted[i]!;
    if (g >= 0 && pos - groupEnd[g]! <= maxGap && Math.max(groupEnd[g]!, stop) - groupStart[g]! <= maxMergedSize) {
      // Still in place only if this request follows the last one in the file and in the buffer
      // (offsets tell the buffer: a later request, with only empty ones between them).
      if (direct[g] === 1 && !(pos === groupEnd[g] && offsets[i] === offsets[last]! + wanted[last]!)) direct[g] = 0;
      if (stop > groupEnd[g]!) groupEnd[g] = stop;
    } else {
      g++;
      groupStart[g] = pos;
      groupEnd[g] = stop;
      direct[g] = 1;
    }
    group[i] = g;
    last = i;
  }
  const groups = g + 1;
  const entry = new Int32Array(groups);
  let directCount = 0;
  let scratchCount = 0;
  let scratchSize = 0;
  for (let h = 0; h < groups; h++) {
    if (direct[h] === 1) directCount++;
    else {
      scratchCount++;
      scratchSize += groupEnd[h]! - groupStart[h]!;
    }
  }
  // Gaps and overlaps can make scratch outgrow a buffer (huge limits): read unmerged then.
  if (scratchSize > bufferConstants.MAX_LENGTH) return null;
  let scratch: ReadPart | null = null;
  if (scratchCount > 0) {
    scratch = new ReadPart(scratchCount, takeScratch(scratchSize));
    for (let h = 0, k = 0, offset = 0; h < groups; h++) {
      if (direct[h] === 1) continue;
      const span = groupEnd[h]! - groupStart[h]!;
      scratch.positions[k] = groupStart[h]!;
      scratch.lengths[k] = span;
      scratch.offsets[k] = offset;
      entry[h] = ~k;
      offset += span;
      k++;
    }
  }
  let inPlace: ReadPart | null = null;
  if (directCount > 0) {
    // In buffer order: the first request met of an in-place group starts its run.
    inPlace = new ReadPart(directCount, buffer);
    for (let i = 0, e = 0; i < positions.length; i++) {
      if (wanted[i] === 0) continue;
      const h = group[i]!;
      if (direct[h] !== 1) continue;
      direct[h] = 2; // placed
      inPlace.positions[e] = groupStart[h]!;
      inPlace.lengths[e] = groupEnd[h]! - groupStart[h]!;
      inPlace.offsets[e] = offsets[i]!;
      entry[h] = e++;
    }
  }
  return { direct: inPlace, scratch, group, entry };
}

/**
 * Where a merged batch stands once every read of its plan reported: each request's count as if
 * read alone, and the requests whose outcome the merged reads cannot tell.
 */
export interface MergedOutcome {
  /** Bytes read for each request (final, except for the requests in `retry`). */
  readonly got: Float64Array;
  /** The lowest-numbered request known to fail as it would alone, or -1. */
  readonly failed: number;
  /** Its error, with its count. */
  readonly error: MfioError | null;
  /**
   * The requests numbered below `failed` whose merged read failed before their end: read each
   * alone (in place, request order) to learn what it gets. Null if there are none.
   */
  readonly retry: ReadPart | null;
  /** The request of each read of `retry`. */
  readonly retried: Int32Array | null;
}

/**
 * Sort out each request after every read of `plan` reported. A request gets its share of its
 * read's bytes: what it would have got alone, short at end of file included; scratch bytes are
 * copied to its place. A failed read fails a request as it would alone only when the read was
 * that very request (same position and length); a request the read had wholly read before it
 * failed got its bytes; any other (a failure in a gap, in another request's bytes or before
 * the request) must be read again alone: merging may never turn a readable request into an
 * error, nor pick a different failed request, position or count than reading alone would.
 */
export function settleMerged(plan: MergePlan, positions: Float64Array, wanted: Float64Array, offsets: Float64Array, buffer: Buffer): MergedOutcome {
  const { direct, scratch, group, entry } = plan;
  const got = new Float64Array(positions.length);
  let failed = -1;
  let error: MfioError | null = null;
  let retried: number[] | null = null;
  for (let i = 0; i < positions.length; i++) {
    const len = wanted[i]!;
    if (len === 0) continue;
    const e = entry[group[i]!]!;
    const part = e >= 0 ? direct! : scratch!;
    const r = e >= 0 ? e : ~e;
    const start = part.positions[r]!;
    const reached = start + part.got[r]!;
    const pos = positions[i]!;
    const n = Math.max(0, Math.min(len, reached - pos));
    got[i] = n;
    const readError = part.errors?.[r];
    if (readError !== undefined) {
      if (start === pos && part.lengths[r] === len) {
        // Later requests cannot change the batch's error any more.
        failed = i;
        error = readError.withBytesTransferred(n);
        break;
      }
      if (pos + len > reached) {
        (retried ??= []).push(i);
        continue;
      }
    }
    if (e < 0 && n > 0) {
      const from = part.offsets[r]! + (pos - start);
      part.buffer.copy(buffer, offsets[i], from, from + n);
    }
  }
  if (retried === null) return { got, failed, error, retry: null, retried: null };
  const retry = new ReadPart(retried.length, buffer);
  for (let k = 0; k < retried.length; k++) {
    const i = retried[k]!;
    retry.positions[k] = positions[i]!;
    retry.lengths[k] = wanted[i]!;
    retry.offsets[k] = offsets[i]!;
  }
  return { got, failed, error, retry, retried: Int32Array.from(retried) };
}

/**
 * The counts once the reads of `outcome.retry` reported too.
 * @throws {MfioError} the lowest-numbered failed request's error, with its count.
 */
export function settleRetried(outcome: MergedOutcome): Float64Array {
  const { got, retry, retried } = outcome;
  for (let k = 0; k < retried!.length; k++) {
    const i = retried![k]!;
    got[i] = retry!.got[k]!;
    const readError = retry!.errors?.[k];
    if (readError !== undefined) throw readError.withBytesTransferred(got[i]);
  }
  if (outcome.error !== null) throw outcome.error;
  return got;
}

/** Whether a request `[pos, stop)`, next by position, joins the merged read `[start, end)`. */
function joins(pos: number, stop: number, start: number, end: number, maxGap: number, maxMergedSize: number): boolean {
  return pos - end <= maxGap && Math.max(end, stop) - start <= maxMergedSize;
}
