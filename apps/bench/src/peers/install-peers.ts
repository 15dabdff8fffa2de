/**
 * Installs the Debian packages of every peer (as root, with apt-get), so that a bench run with
 * --peers spends its time measuring, not installing: the peers' tests run it first, with a
 * limit of its own. Exits 1 with the reason when the packages cannot be had.
 * Usage: node dist/peers/install-peers.js
 */
import { installMissing } from './install.js';
import { PEER_NEEDS } from './start-peers.js';

const started = Date.now();
const reason = installMissing(PEER_NEEDS, (line) => console.log(`install-peers: ${line}`));
if (reason !== undefined) {
  console.error(`install-peers: ${reason}`);
  process.exit(1);
}
console.log(`install-peers: every peer's packages are here (${((Date.now() - started) / 1000).toFixed(1)} s)`);
