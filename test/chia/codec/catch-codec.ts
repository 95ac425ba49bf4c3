/** Test helper: the CodecError thrown by `fn` (fails the test if it throws anything else or nothing). */
import { CodecError } from '../../../src/chia/codec/index.js';

export function catchCodec(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw e;
  }
  throw new Error('expected a CodecError, nothing was thrown');
}
