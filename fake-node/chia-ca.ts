/** The public Chia CA the fake node signs its certificate with and verifies clients against: the repository's copy in assets/ca. */
import { fileURLToPath } from 'node:url';
import { readChiaCa, type PemPair } from '../src/chia/link/tls-identity.js';

const CA_DIR = fileURLToPath(new URL('../assets/ca', import.meta.url));
let cached: PemPair | undefined;

export function fakeNodeCa(): PemPair {
  cached ??= readChiaCa(CA_DIR);
  return cached;
}
