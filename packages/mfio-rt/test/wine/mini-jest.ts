/**
 * The few jest globals the conformance suite uses (describe, test, test.skip, test.failing,
 * beforeAll, afterAll, and jest's own `expect`), for running the suite as one bundled file
 * where jest itself cannot run: Node's Windows build under Wine, whose module resolution does
 * not follow pnpm's symlinks. Cases run one at a time, in order, with jest's semantics for
 * these calls; the report names every case and ends with jest's "Tests:" totals line.
 */
import { expect } from 'expect';

type Body = () => unknown;

interface Case {
  kind: 'test' | 'skip' | 'failing';
  name: string;
  body?: Body;
  timeout: number;
}

interface Block {
  name: string;
  cases: Array<Case | Block>;
  beforeAll: Body[];
  afterAll: Body[];
}

interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

const root: Block = { name: '', cases: [], beforeAll: [], afterAll: [] };
let current = root;
let defaultTimeout = 120_000;

function isBlock(entry: Case | Block): entry is Block {
  return 'cases' in entry;
}

/** Install the globals; the suite's files are imported after this. */
export function install(options: { timeout?: number } = {}): void {
  if (options.timeout !== undefined) defaultTimeout = options.timeout;
  const test = (name: string, body: Body, timeout?: number): void => {
    current.cases.push({ kind: 'test', name, body, timeout: timeout ?? defaultTimeout });
  };
  test.skip = (name: string): void => {
    current.cases.push({ kind: 'skip', name, timeout: 0 });
  };
  test.failing = (name: string, body: Body, timeout?: number): void => {
    current.cases.push({ kind: 'failing', name, body, timeout: timeout ?? defaultTimeout });
  };
  const globals = globalThis as Record<string, unknown>;
  globals.expect = expect;
  globals.test = test;
  globals.it = test;
  globals.describe = (name: string, body: () => void): void => {
    const block: Block = { name, cases: [], beforeAll: [], afterAll: [] };
    current.cases.push(block);
    const parent = current;
    current = block;
    try {
      body();
    } finally {
      current = parent;
    }
  };
  globals.beforeAll = (body: Body): void => {
    current.beforeAll.push(body);
  };
  globals.afterAll = (body: Body): void => {
    current.afterAll.push(body);
  };
}

/** Run `body` with a time limit; resolves with its error, or undefined. */
async function attempt(body: Body, timeout: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(body),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Exceeded timeout of ${timeout} ms`)), timeout);
      }),
    ]);
    return undefined;
  } catch (error) {
    return error ?? new Error('rejected with nothing');
  } finally {
    clearTimeout(timer);
  }
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return text
    .split('\n')
    .slice(0, 12)
    .map((line) => `      ${line}`)
    .join('\n');
}

/** Every case under `block`, with `setupError` when its beforeAll failed. */
async function runBlock(block: Block, depth: number, totals: Totals, setupError: unknown, out: (line: string) => void): Promise<void> {
  const indent = '  '.repeat(depth);
  if (block.name !== '') out(`${indent}${block.name}`);
  let error = setupError;
  if (error === undefined) {
    for (const hook of block.beforeAll) {
      error = await attempt(hook, defaultTimeout);
      if (error !== undefined) {
        out(`${indent}  beforeAll failed:\n${describeError(error)}`);
        break;
      }
    }
  }
  for (const entry of block.cases) {
    if (isBlock(entry)) {
      await runBlock(entry, depth + 1, totals, error, out);
      continue;
    }
    if (entry.kind === 'skip') {
      totals.skipped++;
      out(`${indent}  ○ skipped ${entry.name}`);
      continue;
    }
    const started = Date.now();
    const failure = error ?? (await attempt(entry.body!, entry.timeout));
    const ms = Date.now() - started;
    // test.failing passes when its body fails, and fails when it passes (jest's rule).
    const passed = entry.kind === 'failing' ? failure !== undefined : failure === undefined;
    if (passed) {
      totals.passed++;
      out(`${indent}  ✓ ${entry.name} (${ms} ms)`);
    } else {
      totals.failed++;
      out(`${indent}  ✕ ${entry.name} (${ms} ms)`);
      out(entry.kind === 'failing' ? `${indent}      the known failure passed: remove it from the list` : describeError(failure));
    }
  }
  for (const hook of block.afterAll) {
    const failure = await attempt(hook, defaultTimeout);
    if (failure !== undefined) {
      totals.failed++;
      out(`${indent}  afterAll failed:\n${describeError(failure)}`);
    }
  }
}

/**
 * Run what was registered. Prints each top-level describe's totals and, last, jest's line
 * `Tests: N failed, N skipped, N passed, N total`; returns the number of failures.
 */
export async function run(out: (line: string) => void = (line) => console.log(line)): Promise<number> {
  const all: Totals = { passed: 0, failed: 0, skipped: 0 };
  const summaries: string[] = [];
  for (const entry of root.cases) {
    const totals: Totals = { passed: 0, failed: 0, skipped: 0 };
    if (isBlock(entry)) await runBlock(entry, 0, totals, undefined, out);
    else await runBlock({ name: '', cases: [entry], beforeAll: [], afterAll: [] }, 0, totals, undefined, out);
    summaries.push(`${isBlock(entry) ? entry.name : entry.name}: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
    all.passed += totals.passed;
    all.failed += totals.failed;
    all.skipped += totals.skipped;
  }
  out('');
  for (const line of summaries) out(line);
  const parts = [all.failed > 0 ? `${all.failed} failed` : '', all.skipped > 0 ? `${all.skipped} skipped` : '', `${all.passed} passed`];
  out(`Tests:       ${parts.filter((p) => p !== '').join(', ')}, ${all.passed + all.failed + all.skipped} total`);
  return all.failed;
}
