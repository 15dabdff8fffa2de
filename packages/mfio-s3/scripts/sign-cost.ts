/**
 * The CPU one SigV4 signature costs (`pnpm --filter @mfio/s3 exec tsx scripts/sign-cost.ts`):
 * the `aws4` package @mfio/s3 signs with, beside @smithy/signature-v4 (the AWS SDK's signer)
 * with Node's crypto and with its default JavaScript SHA-256, on the headers of a ranged GET.
 * Prints CPU µs per signature, best of three rounds of 20,000.
 */
import { createHash, createHmac } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { Signer } from '../src/signer.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const N = 20_000;

/** Node's crypto in the shape @smithy wants. */
class NodeHash {
  readonly #hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

async function cpuPerCall(run: (i: number) => unknown): Promise<number> {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < N; i++) await run(i);
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / N);
  }
  return best;
}

const signer = new Signer(credentials, 'us-east-1', '127.0.0.1:7480');
const headers = (i: number): Record<string, string> => ({ range: `bytes=${i}-${i + 4095}`, 'if-match': '"0123456789abcdef"' });
console.log(`aws4 (sync)                    ${(await cpuPerCall((i) => signer.sign('GET', `/bucket/key${i}`, headers(i)))).toFixed(1)} µs`);
for (const [name, sha256] of [
  ['@smithy + node:crypto', NodeHash],
  ['@smithy + sha256-js (default)', Sha256],
] as const) {
  const smithy = new SignatureV4({ credentials, region: 'us-east-1', service: 's3', sha256, uriEscapePath: false, applyChecksum: false });
  const request = (i: number) => ({
    method: 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 7480,
    path: `/bucket/key${i}`,
    query: {},
    headers: { host: '127.0.0.1:7480', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers(i) },
  });
  console.log(`${name.padEnd(31)}${(await cpuPerCall((i) => smithy.sign(request(i)))).toFixed(1)} µs`);
}
