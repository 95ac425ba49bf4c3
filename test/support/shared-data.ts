/**
 * Location of the shared protocol reference data (vectors, real blocks). CI checks the repository out
 * with `shared/` beside it; CHIA_SHARED_DIR overrides that for other layouts.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_DIR = process.env.CHIA_SHARED_DIR ?? resolve(REPO_ROOT, '../shared');
export const PROTOCOL_DIR = resolve(SHARED_DIR, 'protocol');

/** Absolute path of a file under shared/protocol, failing clearly when the data is missing. */
export function protocolFile(...parts: string[]): string {
  const path = resolve(PROTOCOL_DIR, ...parts);
  if (!existsSync(path)) throw new Error(`shared protocol data not found: ${path} (set CHIA_SHARED_DIR)`);
  return path;
}
