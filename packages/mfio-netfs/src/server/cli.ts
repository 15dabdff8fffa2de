import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKEND_ORDER, NativeRt, type BackendName, type Fs } from '@mfio/rt';
import { createLogger, LOG_LEVELS, type LogLevel } from './logger.js';
import { NetFsServer } from './netfs-server.js';
import { ownPackage } from './own-package.js';

export const USAGE = `Usage: mfio-netfs-server --root DIR [options]
       mfio-netfs-server --s3-bucket BUCKET [--root /PREFIX/DIR] [options]

Serve DIR, or a bucket of S3-compatible object storage, to mfio netfs clients
(@mfio/netfs's NetFs.connect).

Options:
  --root DIR            directory to serve (required without --s3-bucket); clients cannot leave it
  --s3-bucket BUCKET    serve this bucket through @mfio/s3 (--root then defaults to /, the bucket);
                        endpoint, region and keys from AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL),
                        AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
  --listen HOST:PORT    address to listen on (default 127.0.0.1:4446; [::1]:PORT for IPv6)
  --token-file F        file holding the shared token (required for a non-loopback address)
  --tls-cert C          PEM certificate: serve TLS (needs --tls-key)
  --tls-key K           PEM private key of --tls-cert
  --read-only           refuse every change with EROFS
  --allow-special-mode-bits
                        let clients set setuid, setgid and sticky (default: EPERM)
  --backend NAME        ${BACKEND_ORDER.join(' | ')} (default: the first that starts)
  --log-level L         ${LOG_LEVELS.join(' | ')} (default info)
  -h, --help            show this help
  --version             print the version

Stops cleanly (exit 0) on SIGINT or SIGTERM.`;

/** The package's page on the npm registry, which shows its README. */
export const ONLINE_DOCS = 'https://www.npmjs.com/package/@mfio/netfs';

/** Parse `--listen`: `HOST:PORT`, `[V6]:PORT`, or just `PORT`. */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value) ?? /^()()(\d+)$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port > 65535) throw new Error(`--listen must be HOST:PORT, got '${value}'`);
  return { host: match[1] || match[2] || '127.0.0.1', port };
}

/**
 * Run the server until SIGINT/SIGTERM; resolves with the exit code (0 after a clean stop,
 * 2 for bad arguments, 1 when the server cannot start).
 */
export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        root: { type: 'string' },
        's3-bucket': { type: 'string' },
        listen: { type: 'string', default: '127.0.0.1:4446' },
        'token-file': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'read-only': { type: 'boolean', default: false },
        'allow-special-mode-bits': { type: 'boolean', default: false },
        backend: { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    process.stderr.write(`mfio-netfs-server: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    const { root, version } = ownPackage();
    // Where the documentation is on this machine (the README ships in the package) and online.
    process.stdout.write(`${USAGE}\n\nDocumentation (@mfio/netfs ${version}): ${join(root, 'README.md')}\n  online: ${ONLINE_DOCS}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${ownPackage().version}\n`);
    return 0;
  }
  const fail = (message: string): number => {
    process.stderr.write(`mfio-netfs-server: ${message}\n`);
    return 2;
  };
  const bucket = values['s3-bucket'];
  if (values.root === undefined && bucket === undefined) return fail('--root DIR is required (see --help)');
  if (bucket !== undefined && values.backend !== undefined) return fail('--backend is for a local --root, not with --s3-bucket');
  const level = values['log-level'] as LogLevel;
  if (!LOG_LEVELS.includes(level)) return fail(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const backend = values.backend as BackendName | undefined;
  if (backend !== undefined && !BACKEND_ORDER.includes(backend)) return fail(`--backend must be one of ${BACKEND_ORDER.join(', ')}`);
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) return fail('--tls-cert and --tls-key go together');
  let listen;
  try {
    listen = parseListen(values.listen);
  } catch (error) {
    return fail((error as Error).message);
  }
  const log = createLogger(level);
  let token = '';
  let tls: { cert: Buffer; key: Buffer } | undefined;
  try {
    if (values['token-file'] !== undefined) token = (await readFile(values['token-file'], 'utf8')).trim();
    if (values['token-file'] !== undefined && token === '') return fail(`the token file ${values['token-file']} is empty`);
    if (values['tls-cert'] !== undefined) tls = { cert: await readFile(values['tls-cert']), key: await readFile(values['tls-key']!) };
  } catch (error) {
    return fail((error as Error).message);
  }

  let rt: Fs & { close(): Promise<void> };
  let backendName: string;
  try {
    if (bucket !== undefined) {
      rt = await connectS3(bucket);
      backendName = `s3 (bucket ${bucket})`;
    } else {
      const builder = NativeRt.builder();
      const native = (backend === undefined ? builder.enableAll() : builder.enable(backend)).build();
      rt = native;
      backendName = native.backend.name;
    }
  } catch (error) {
    log.error(`no backend: ${(error as Error).message}`);
    return 1;
  }
  let server: NetFsServer;
  try {
    server = await NetFsServer.start({
      fs: rt,
      root: values.root ?? '/',
      hostPaths: bucket === undefined,
      ...listen,
      token,
      ...(tls ? { tls } : {}),
      readOnly: values['read-only'],
      allowSpecialModeBits: values['allow-special-mode-bits'],
      log,
    });
  } catch (error) {
    log.error(`cannot start: ${(error as Error).message}`);
    await rt.close();
    return 1;
  }
  log.info(`backend ${backendName}; listening on ${server.address().host}:${server.address().port}`);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info(`${signal}: stopping`);
  await server.close();
  await rt.close();
  return 0;
}

/**
 * An S3Fs on `bucket`, everything else from the environment. @mfio/s3 is an optional peer of
 * this package, loaded only here: a server of local directories never needs it.
 */
async function connectS3(bucket: string): Promise<Fs & { close(): Promise<void> }> {
  const name = '@mfio/s3'; // a variable: no type or build dependency on the optional package
  let module: { S3Fs: { connect(options: { bucket: string }): Promise<Fs & { close(): Promise<void> }> } };
  try {
    module = (await import(name)) as typeof module;
  } catch (error) {
    throw new Error(`--s3-bucket needs the @mfio/s3 package (${(error as Error).message})`, { cause: error });
  }
  return module.S3Fs.connect({ bucket });
}
