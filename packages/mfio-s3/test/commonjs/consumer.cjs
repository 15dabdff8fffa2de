// A CommonJS consumer of @mfio/s3 (run by node from commonjs.test.ts): require() resolves to the
// CommonJS build; it connects to the endpoint, bucket and keys given in MFIO_S3_CJS (JSON), reads
// `key` with readAt and readMany and a missing key, and closes. Prints one JSON line.
'use strict';
const { MfioError, readMany } = require('@mfio/core');
const { S3Fs } = require('@mfio/s3');

async function main() {
  const { endpoint, region, accessKeyId, secretAccessKey, bucket, key } = JSON.parse(process.env.MFIO_S3_CJS);
  const fs = await S3Fs.connect({ endpoint, region, bucket, credentials: { accessKeyId, secretAccessKey } });
  try {
    const file = await fs.open(key);
    const head = (await file.readAt(0, 5)).toString();
    const many = await readMany(file, [
      [6, 4],
      [0, 5],
    ]);
    const { len } = await file.metadata();
    await file.close();
    const missing = await fs.open('missing.txt').catch((error) => error);
    console.log(
      JSON.stringify({
        resolved: require.resolve('@mfio/s3'),
        head,
        many: [...many].map(String),
        len,
        missingCode: missing.code,
        missingIsMfioError: missing instanceof MfioError,
      }),
    );
  } finally {
    await fs.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
