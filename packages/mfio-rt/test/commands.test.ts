// The command protocol has one source, commands/table.mjs. These tests catch the ways the two
// sides can still disagree: a generated file edited by hand or not regenerated, an addon built
// from another layout, and an executor running an op the table does not give it.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as commands from '../src/backends/engine/commands.js';
import { F_ARG, F_BUF, F_BUF_OFFSET, F_FD, F_FLAGS, F_LEN, F_OP, F_USER_DATA, Op, OP_NAMES, STRIDE } from '../src/backends/engine/commands.js';
import { loadAddon, type CompiledCommandLayout, type NativeAddon, type NativeExecutorClass } from '../src/native/addon.js';

const packageRoot = join(__dirname, '..');

interface SlotSpec {
  kind: string;
  name: string;
}
interface Table {
  SLOTS: string[];
  EXECUTORS: string[];
  OPS: Array<{ name: string; id: number; executors: string[]; slots: Partial<Record<'fd' | 'buf' | 'len' | 'arg' | 'flags', SlotSpec>> }>;
  CONSTANTS: Array<{ name: string; value: number }>;
  KINDS: Record<'fd' | 'buf' | 'len' | 'arg', string[]>;
}

/** The table as the generator reads it (an ES module: jest runs these tests as CommonJS). */
function readTable(): Table {
  const script =
    "const t = await import('./commands/table.mjs'); const g = await import('./commands/generate.mjs');" +
    'process.stdout.write(JSON.stringify({ ...t, KINDS: g.KINDS }));';
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageRoot, encoding: 'utf8' })) as Table;
}

function addon(): NativeAddon | undefined {
  try {
    return loadAddon();
  } catch {
    return undefined;
  }
}

const table = readTable();
const built = addon();
// Where the addon is built, it must report its layout: one built before the table had no
// commandLayout() and fails here rather than skip.
const describeAddon = built !== undefined ? describe : describe.skip;

describe('the generated command files', () => {
  test('match commands/table.mjs (run `pnpm --filter @mfio/rt commands` after editing it)', () => {
    const run = (): string => execFileSync(process.execPath, ['commands/generate.mjs', '--check'], { cwd: packageRoot, encoding: 'utf8', stdio: 'pipe' });
    expect(run).not.toThrow();
  });

  test('commands.ts has every op, slot and constant of the table', () => {
    expect(STRIDE).toBe(table.SLOTS.length);
    const slots = [F_OP, F_USER_DATA, F_FD, F_BUF, F_BUF_OFFSET, F_LEN, F_ARG, F_FLAGS];
    expect(slots).toEqual(table.SLOTS.map((_, i) => i));
    for (const op of table.OPS) {
      expect(OP_NAMES[op.id]).toBe(op.name);
      expect((Op as Record<string, number>)[op.name[0]!.toUpperCase() + op.name.slice(1)]).toBe(op.id);
    }
    for (const constant of table.CONSTANTS) expect((commands as unknown as Record<string, number>)[constant.name]).toBe(constant.value);
  });
});

describeAddon('the addon as built', () => {
  const layout = (): CompiledCommandLayout => {
    expect(typeof built!.commandLayout).toBe('function');
    return built!.commandLayout!();
  };

  test('has the layout commands.ts has: stride, slots, op numbers, constants', () => {
    const { stride, fields, ops, constants: compiled } = layout();
    expect(stride).toBe(STRIDE);
    expect(fields).toEqual({ op: F_OP, userData: F_USER_DATA, fd: F_FD, buf: F_BUF, bufOffset: F_BUF_OFFSET, len: F_LEN, arg: F_ARG, flags: F_FLAGS });
    expect(ops).toEqual(Object.fromEntries(OP_NAMES.map((name, id) => [name, id])));
    const constants = Object.fromEntries(table.CONSTANTS.map((c) => [c.name, (commands as unknown as Record<string, number>)[c.name]]));
    expect(compiled).toEqual(constants);
  });

  test("decodes each op's slots as the table says, for the executors it names", () => {
    const kind = (slot: 'fd' | 'buf' | 'len' | 'arg', spec: SlotSpec | undefined): number => (spec ? table.KINDS[slot].indexOf(spec.kind) + 1 : 0);
    const expected = [...table.OPS]
      .sort((a, b) => a.id - b.id)
      .map((op) => ({
        name: op.name,
        fd: kind('fd', op.slots.fd),
        buf: kind('buf', op.slots.buf),
        len: kind('len', op.slots.len),
        arg: kind('arg', op.slots.arg),
        flags: op.slots.flags !== undefined,
        executors: op.executors.reduce((bits, executor) => bits | (1 << table.EXECUTORS.indexOf(executor)), 0),
      }));
    expect(layout().layouts).toEqual(expected);
  });
});

/** Run one command on a bare executor and return its result. */
async function runOne(Executor: NativeExecutorClass, command: number[], buffers: Uint8Array[] = []): Promise<number> {
  const completions = new Int32Array(2 * 8);
  let resolve!: (res: number) => void;
  const result = new Promise<number>((r) => (resolve = r));
  const executor = new Executor(4, completions, (count) => {
    for (let i = 0; i < count; i++) if (completions[2 * i] === command[F_USER_DATA]) resolve(completions[2 * i + 1]!);
  });
  executor.setActive(true);
  try {
    expect(executor.submit(Float64Array.from(command), 1, buffers)).toBe(1);
    return await result;
  } finally {
    executor.setActive(false);
    executor.close();
  }
}

const EINVAL = -22;
const EFAULT = -14;
const EBADF = -9;
const executors = (['UringExecutor', 'ThreadpoolExecutor'] as const).filter((name) => built?.[name] !== undefined);
const describeExecutors = process.platform === 'linux' && executors.length > 0 ? describe.each(executors) : describe.skip.each(['no POSIX executor built']);

describeExecutors('%s', (name) => {
  const executorName = name === 'UringExecutor' ? 'io_uring' : 'threadpool';

  test('answers EINVAL for an op the table does not give it, and for an unknown op', async () => {
    const Executor = built![name as (typeof executors)[number]]!;
    for (const op of table.OPS.filter((op) => !op.executors.includes(executorName))) {
      expect(await runOne(Executor, [op.id, 7, 0, -1, 0, 0, 0, 0])).toBe(EINVAL);
    }
    expect(await runOne(Executor, [table.OPS.length, 8, 0, -1, 0, 0, 0, 0])).toBe(EINVAL);
  });

  test('refuses a slot value outside its kind: the command fails and reaches no syscall', async () => {
    const Executor = built![name as (typeof executors)[number]]!;
    const buffer = new Uint8Array(16);
    // A negative or non-integer-sized transfer, a descriptor that is no int, a 4 GiB fadvise length.
    expect(await runOne(Executor, [Op.Read, 9, 0, 0, 0, -1, 0, 0], [buffer])).toBe(EFAULT);
    expect(await runOne(Executor, [Op.Read, 10, Number.NaN, 0, 0, 16, 0, 0], [buffer])).toBe(EBADF);
    expect(await runOne(Executor, [Op.Fadvise, 11, 0, -1, 0, 2 ** 32, 0, 0])).toBe(EINVAL);
    expect(await runOne(Executor, [Op.Read, 12, 0, 0, 0, 16, -1, 0], [buffer])).toBe(EINVAL);
  });
});
