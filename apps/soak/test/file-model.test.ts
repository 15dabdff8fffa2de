/**
 * The model's bookkeeping: completed writes become known content, an aborted write's whole range
 * becomes unknown until a completed write covers it again, a failed or short write keeps what it
 * says it transferred and makes the rest unknown; reads are checked on known bytes only.
 */
import { FileModel } from '../src/file-model.js';
import { RangeSet } from '../src/range-set.js';

const ranges = (model: FileModel): Array<[number, number]> => model.unknown.ranges.map((r) => [r.start, r.end]);

describe('RangeSet', () => {
  test('merges overlapping and touching ranges, splits on removal', () => {
    const set = new RangeSet();
    set.add(10, 20);
    set.add(30, 40);
    set.add(20, 25); // touches the first
    expect(set.ranges).toEqual([
      { start: 10, end: 25 },
      { start: 30, end: 40 },
    ]);
    set.add(24, 31); // bridges both
    expect(set.ranges).toEqual([{ start: 10, end: 40 }]);
    set.remove(15, 20);
    expect(set.ranges).toEqual([
      { start: 10, end: 15 },
      { start: 20, end: 40 },
    ]);
    expect(set.size).toBe(25);
    expect(set.outside(0, 50)).toEqual([
      { start: 0, end: 10 },
      { start: 15, end: 20 },
      { start: 40, end: 50 },
    ]);
    expect(set.within(12, 22)).toEqual([
      { start: 12, end: 15 },
      { start: 20, end: 22 },
    ]);
  });
});

describe('FileModel', () => {
  const initial = Buffer.alloc(100, 0xaa);

  test('a completed write is known content; reads of it are checked', () => {
    const model = new FileModel('f', initial);
    model.writeSettled(10, Buffer.alloc(5, 0x11), 5);
    const read = Buffer.alloc(20, 0xaa);
    read.fill(0x11, 5, 10);
    expect(model.check(5, 20, read)).toEqual({ checked: 20, skipped: 0, mismatch: null });
    expect(model.unknown.isEmpty).toBe(true);
  });

  test('an aborted write makes its whole range unknown, whatever landed', () => {
    const model = new FileModel('f', initial);
    model.writeUnknown(20, 10);
    expect(ranges(model)).toEqual([[20, 30]]);
    // Some of its bytes landed, some did not: neither is an error.
    const read = Buffer.alloc(40, 0xaa);
    read.fill(0x22, 20, 25);
    expect(model.check(0, 40, read)).toEqual({ checked: 30, skipped: 10, mismatch: null });
  });

  test('unknown bytes become known again only where a completed write covers them', () => {
    const model = new FileModel('f', initial);
    model.writeUnknown(20, 10);
    model.writeUnknown(50, 10);
    expect(ranges(model)).toEqual([
      [20, 30],
      [50, 60],
    ]);
    model.writeSettled(25, Buffer.alloc(30, 0x33), 30); // covers [25, 55)
    expect(ranges(model)).toEqual([
      [20, 25],
      [55, 60],
    ]);
    model.writeUnknown(24, 2); // an abort overlapping known and unknown bytes
    expect(ranges(model)).toEqual([
      [20, 26],
      [55, 60],
    ]);
    model.writeSettled(0, Buffer.alloc(100, 0x44), 100);
    expect(model.unknown.isEmpty).toBe(true);
  });

  test('a short or failed write keeps what it transferred; the rest is unknown', () => {
    const model = new FileModel('f', initial);
    model.writeSettled(10, Buffer.alloc(10, 0x55), 4);
    expect(ranges(model)).toEqual([[14, 20]]);
    expect(model.expected(10, 14)).toEqual(Buffer.alloc(4, 0x55));
    expect(model.expected(14, 20)).toEqual(Buffer.alloc(6, 0xaa)); // kept, but not vouched for
    model.writeSettled(40, Buffer.alloc(10, 0x66), 0); // failed having transferred nothing
    expect(ranges(model)).toEqual([
      [14, 20],
      [40, 50],
    ]);
  });

  test('a wrong known byte is reported with its position and both values', () => {
    const model = new FileModel('f', initial);
    model.writeUnknown(0, 10);
    const read = Buffer.alloc(30, 0xaa);
    read[3] = 0; // unknown: not a mismatch
    read[17] = 0x01;
    read[18] = 0x02;
    expect(model.check(0, 30, read).mismatch).toEqual({ kind: 'bytes', position: 17, expected: 0xaa, actual: 0x01, differing: 2 });
  });

  test('reads are short only at the end of the file', () => {
    const model = new FileModel('f', initial);
    expect(model.check(90, 20, Buffer.alloc(10, 0xaa)).mismatch).toBeNull();
    expect(model.check(120, 5, Buffer.alloc(0)).mismatch).toBeNull();
    expect(model.check(10, 20, Buffer.alloc(19, 0xaa)).mismatch).toEqual({ kind: 'length', position: 10, expected: 20, actual: 19 });
  });

  test('writes outside the file are refused (the soak never changes a length)', () => {
    const model = new FileModel('f', initial);
    expect(() => model.writeUnknown(95, 10)).toThrow(RangeError);
  });
});
