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
  return {
    label: first,
    minSize: 1,
    read(r, o) {
      const at = r.pos;
      const flag = r.u8();
      if (flag > VALID_FLAGS) throw r.fail(`invalid packed optional flag 0x${flag.toString(16)}`, at);
      o[first] = flag & FIRST_PRESENT ? a.read(r) : null;
      o[second] = flag & SECOND_PRESENT ? withPath('.' + second, () => b.read(r)) : null;
    },
    write(w, o) {
      const va = o[first];
      const vb = o[second];
      const hasA = va !== null && va !== undefined;
      const hasB = vb !== null && vb !== undefined;
      w.u8((hasA ? FIRST_PRESENT : 0) | (hasB ? SECOND_PRESENT : 0));
      if (hasA) a.write(w, va);
      if (hasB) withPath('.' + second, () => b.write(w, vb));
    },
  };
}

