/**
 * jest's globalSetup: one Ceph cluster for every test file of the package, its endpoint and
 * keys handed to the test workers in MFIO_S3_TEST_CLUSTER (JSON). With MFIO_S3_TEST_ENDPOINT,
 * _ACCESS_KEY and _SECRET_KEY set, that S3 endpoint is used instead and nothing is started.
 *
 * If the cluster cannot start: under CI (CI=true) the run fails here; elsewhere the reason is
 * passed on and every S3 test shows as skipped with it (see cluster-env.ts), never silently.
 */
// './ceph-cluster.ts', not '.js': jest loads globalSetup with a plain require, without the
// moduleNameMapper that maps '.js' to the TypeScript source for the tests.
import { startCluster } from './ceph-cluster.ts';

export default async function globalSetup(): Promise<void> {
  const external = process.env.MFIO_S3_TEST_ENDPOINT;
  if (external !== undefined) {
    process.env.MFIO_S3_TEST_CLUSTER = JSON.stringify({
      endpoint: external,
      region: process.env.MFIO_S3_TEST_REGION ?? 'us-east-1',
      accessKeyId: process.env.MFIO_S3_TEST_ACCESS_KEY,
      secretAccessKey: process.env.MFIO_S3_TEST_SECRET_KEY,
      external: true,
    });
    return;
  }
  try {
    const cluster = await startCluster((line) => console.log(line));
    console.log(`\nceph: cluster up in ${cluster.startSeconds.toFixed(1)} s, radosgw at ${cluster.endpoint} (${cluster.dir})`);
    process.env.MFIO_S3_TEST_CLUSTER = JSON.stringify(cluster);
  } catch (error) {
    if (process.env.CI === 'true' || process.env.CI === '1') throw error;
    const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    console.log(`\nceph: no cluster (${reason}): the S3 tests are skipped`);
    process.env.MFIO_S3_TEST_UNAVAILABLE = reason;
  }
}
