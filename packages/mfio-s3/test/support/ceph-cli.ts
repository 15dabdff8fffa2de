/**
 * A Ceph cluster for hand testing and the bench (`pnpm --filter @mfio/s3 ceph`): starts one
 * (see ceph-cluster.ts), prints one JSON line with its endpoint and credentials, and stops it
 * when this process gets SIGINT or SIGTERM, or when its standard input ends (its parent died),
 * so a cluster never outlives whoever asked for it.
 */
import { startCluster, stopCluster } from './ceph-cluster.js';

const cluster = await startCluster((line) => console.error(line));
console.log(JSON.stringify(cluster));
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void stopCluster(cluster).then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
