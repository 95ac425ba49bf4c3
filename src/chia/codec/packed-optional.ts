/**
 * Packed optional pairs (PROTOCOL.md §f.4): two Optional fields sharing one flag byte. Bit 0 marks
 * the first (old) field present, bit 1 the second (new) one; the present values follow in order.
 */
import type { Codec } from './codec.js';
import { withPath } from './errors.js';
import type { WireGroup } from './struct.js';

const FIRST_PRESENT = 1;
const SECOND_PRESENT = 2;
const VALID_FLAGS = 3;

/** Wire group for the fields `first` and `second` (each typed Optional[...] in the struct). */
export function packedPair(first: string, a: Codec<unknown>, second: string, b: Codec<unknown>): WireGroup {
  const firstPath = '.' + first;
  const secondPath = '.' + second;
  return {
    // Errors name the field themselves: the flag byte and first value as `first`, the rest as `second`.
    label: '',
    minSize: 1,
    read(r, o) {
      const flag = withPath(firstPath, () => {
        const at = r.pos;
        const f = r.u8();
        if (f > VALID_FLAGS) throw r.fail(`invalid packed optional flag 0x${f.toString(16)}`, at);
        o[first] = f & FIRST_PRESENT ? a.read(r) : null;
        return f;
      });
      o[second] = flag & SECOND_PRESENT ? withPath(secondPath, () => b.read(r)) : null;
    },
    write(w, o) {
      const va = o[first];
      const vb = o[second];
      const hasA = va !== null && va !== undefined;
      const hasB = vb !== null && vb !== undefined;
      w.u8((hasA ? FIRST_PRESENT : 0) | (hasB ? SECOND_PRESENT : 0));
      if (hasA) withPath(firstPath, () => a.write(w, va));
      if (hasB) withPath(secondPath, () => b.write(w, vb));
    },
  };
}
