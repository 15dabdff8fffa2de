import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseSpec } from './plan.js';
import type { CaseResult } from './measure.js';

const dist = dirname(fileURLToPath(import.meta.url));

/** A result for a case that produced none. */
export function failedResult(spec: CaseSpec, error: string): CaseResult {
  return { spec, verified: false, readsPerSecond: 0, mibPerSecond: 0, rme: 0, samples: 0, error };
}

/**
 * Run one case in a fresh Node process (`script` is run-case.js or remote-case.js beside this
 * file) with extra environment `env`, and read back its `RESULT {json}` line.
 */
export function runChild(script: string, spec: CaseSpec, env?: Record<string, string>): Promise<CaseResult> {
  return new Promise((resolveResult) => {
    const child = spawn(process.execPath, [join(dist, script), JSON.stringify(spec)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      resolveResult(line ? (JSON.parse(line.slice(7)) as CaseResult) : failedResult(spec, `child exited with ${code}`));
    });
  });
}
