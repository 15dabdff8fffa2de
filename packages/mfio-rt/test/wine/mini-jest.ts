/**
 * The jest globals the suites run under Wine use (describe, test, their .each and .skip,
 * test.failing, before/after All/Each, and jest's own `expect`), for running them as one
 * bundled file where jest itself cannot run: Node's Windows build under Wine, whose module
 * resolution does not follow pnpm's symlinks. Cases run one at a time, in order, with jest's
 * semantics for these calls; the report names every case and ends with jest's "Tests:" line.
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
  beforeEach: Body[];
  afterEach: Body[];
}

interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

const root = newBlock('');
let current = root;
let defaultTimeout = 120_000;
/** Only the cases whose full name (describe names and case name, space-separated) matches, as jest's `-t`. */
let filter: RegExp | undefined;
/** Registering inside describe.skip: every case is a skipped one. */
let skipping = false;

function newBlock(name: string): Block {
  return { name, cases: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] };
}

/** jest's title formatting for .each: %s, %d, %i, %p take the row's values in order. */
function title(name: string, args: unknown[]): string {
  let i = 0;
  return name.replace(/%[sdip]/g, () => String(args[i++]));
}

function rowArgs(row: unknown): unknown[] {
  return Array.isArray(row) ? row : [row];
}

function isBlock(entry: Case | Block): entry is Block {
  return 'cases' in entry;
}

/** Install the globals; the suite's files are imported after this. */
export function install(options: { timeout?: number; filter?: RegExp } = {}): void {
  if (options.timeout !== undefined) defaultTimeout = options.timeout;
  filter = options.filter;
  const test = (name: string, body: Body, timeout?: number): void => {
    current.cases.push({ kind: skipping ? 'skip' : 'test', name, body, timeout: timeout ?? defaultTimeout });
  };
  test.skip = (name: string): void => {
    current.cases.push({ kind: 'skip', name, timeout: 0 });
  };
  test.failing = (name: string, body: Body, timeout?: number): void => {
    current.cases.push({ kind: skipping ? 'skip' : 'failing', name, body, timeout: timeout ?? defaultTimeout });
  };
  test.each =
    (table: readonly unknown[]) =>
    (name: string, body: (...args: unknown[]) => unknown, timeout?: number): void => {
      for (const row of table) test(title(name, rowArgs(row)), () => body(...rowArgs(row)), timeout);
    };
  const describe = (name: string, body: () => void): void => {
    const block = newBlock(name);
    current.cases.push(block);
    const parent = current;
    current = block;
    try {
      body();
    } finally {
      current = parent;
    }
  };
  const describeSkip = (name: string, body: () => void): void => {
    const was = skipping;
    skipping = true;
    try {
      describe(name, body);
    } finally {
      skipping = was;
    }
  };
  describe.each =
    (table: readonly unknown[]) =>
    (name: string, body: (...args: unknown[]) => void): void => {
      for (const row of table) describe(title(name, rowArgs(row)), () => body(...rowArgs(row)));
    };
  describe.skip = Object.assign(describeSkip, {
    each:
      (table: readonly unknown[]) =>
      (name: string, body: (...args: unknown[]) => void): void => {
        for (const row of table) describeSkip(title(name, rowArgs(row)), () => body(...rowArgs(row)));
      },
  });
  const globals = globalThis as Record<string, unknown>;
  globals.expect = expect;
  globals.test = test;
  globals.it = test;
  globals.describe = describe;
  globals.beforeEach = (body: Body): void => {
    current.beforeEach.push(body);
  };
  globals.afterEach = (body: Body): void => {
    current.afterEach.push(body);
  };
  globals.beforeAll = (body: Body): void => {
    current.beforeAll.push(body);
  };
  globals.afterAll = (body: Body): void => {
    current.afterAll.push(body);
  };
}

function fullName(path: string, name: string): string {
  return path === '' ? name : `${path} ${name}`;
}

/** Whether `entry` (under the describe names `path`) is selected by the `-t` filter. */
function selected(entry: Case | Block, path: string): boolean {
  if (filter === undefined) return true;
  if (!isBlock(entry)) return filter.test(fullName(path, entry.name));
  const inner = fullName(path, entry.name);
  return entry.cases.some((child) => selected(child, inner));
}

/** How many cases `block` holds, at any depth. */
function count(block: Block): number {
  return block.cases.reduce((n, entry) => n + (isBlock(entry) ? count(entry) : 1), 0);
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
async function runBlock(
  block: Block,
  depth: number,
  totals: Totals,
  setupError: unknown,
  out: (line: string) => void,
  outer: { beforeEach: Body[]; afterEach: Body[] } = { beforeEach: [], afterEach: [] },
  path = '',
): Promise<void> {
  // Filtered out as a whole (-t): skipped, hooks and all, without a line per case.
  if (!selected(block, path)) {
    totals.skipped += count(block);
    return;
  }
  const inner = fullName(path, block.name);
  // jest's order: outer beforeEach first, inner afterEach first.
  const beforeEach = [...outer.beforeEach, ...block.beforeEach];
  const afterEach = [...block.afterEach, ...outer.afterEach];
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
      await runBlock(entry, depth + 1, totals, error, out, { beforeEach, afterEach }, inner);
      continue;
    }
    if (!selected(entry, inner)) {
      totals.skipped++;
      continue;
    }
    if (entry.kind === 'skip') {
      totals.skipped++;
      out(`${indent}  ○ skipped ${entry.name}`);
      continue;
    }
    const started = Date.now();
    let failure = error;
    for (const hook of beforeEach) failure ??= await attempt(hook, defaultTimeout);
    failure ??= await attempt(entry.body!, entry.timeout);
    for (const hook of afterEach) {
      const after = await attempt(hook, defaultTimeout);
      failure ??= after;
    }
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
    else await runBlock({ ...newBlock(''), cases: [entry] }, 0, totals, undefined, out);
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
