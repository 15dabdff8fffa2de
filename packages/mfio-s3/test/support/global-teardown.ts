/** jest's globalTeardown: stop the cluster globalSetup started (radosgw, OSD, monitor, by pid). */
// '.ts': loaded by a plain require, as global-setup.ts.
import { stopCluster, type CephCluster } from './ceph-cluster.ts';

export default async function globalTeardown(): Promise<void> {
  const text = process.env.MFIO_S3_TEST_CLUSTER;
  if (text === undefined) return;
  const cluster = JSON.parse(text) as CephCluster & { external?: boolean };
  if (cluster.external === true) return;
  // MFIO_S3_KEEP_CLUSTER_DIR=1 keeps the logs for a failed run.
  await stopCluster(cluster, process.env.MFIO_S3_KEEP_CLUSTER_DIR === '1');
}
