/** The public Chia CA shipped with the package (public data, see assets/ca/README.md), read once. */
import { readChiaCa, type PemPair } from '../chia/index.js';
import { packagePath } from './package-root.js';

let cached: PemPair | undefined;

/** The bundled public Chia CA certificate and key: what the protocol core signs and verifies with. */
export function loadChiaCa(): PemPair {
  cached ??= readChiaCa(packagePath('assets', 'ca'));
  return cached;
}
