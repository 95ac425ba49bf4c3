/** The Message frame: u8 type ‖ Optional[u16] id ‖ u32 length ‖ data (PROTOCOL.md §b.1). */
import { MAX_MESSAGE_ID } from '../protocol/limits.js';
import { CodecError } from './errors.js';
import { MessageType } from './message-types.js';
import { Reader } from './reader.js';
import { payloadCodec, type PayloadName, type PayloadOf } from './registry.js';
import { Writer } from './writer.js';

/** type + flag + u32 length, the smallest frame (no id, empty data). */
const MIN_FRAME_SIZE = 6;
const MAX_TYPE = 0xff;

export interface Frame {
  type: number;
  id: number | null;
  /** The payload; a view into the frame bytes when decoded. */
  data: Uint8Array;
}

/** Serializes one frame. */
export function encodeFrame(frame: Frame): Uint8Array {
  const { type, id, data } = frame;
  if (!Number.isInteger(type) || type < 0 || type > MAX_TYPE) throw new CodecError(`invalid message type ${type}`, -1, 'Message.type');
  if (id !== null && (!Number.isInteger(id) || id < 0 || id > MAX_MESSAGE_ID)) {
    throw new CodecError(`invalid message id ${id}`, -1, 'Message.id');
  }
  if (!(data instanceof Uint8Array)) throw new CodecError('frame data must be a Uint8Array', -1, 'Message.data');
  const w = new Writer(MIN_FRAME_SIZE + 2 + data.length);
  w.u8(type);
  if (id === null) {
    w.u8(0);
  } else {
    w.u8(1);
    w.u16(id);
  }
  w.u32(data.length);
  w.bytes(data);
  return w.finish();
}

/** Parses one frame strictly: id flag 0 or 1, exact data length, no trailing bytes. */
export function decodeFrame(bytes: Uint8Array): Frame {
  if (bytes.length < MIN_FRAME_SIZE) throw new CodecError(`frame of ${bytes.length} bytes is too short`, 0, 'Message');
  const r = new Reader(bytes);
  const type = r.u8();
  const flag = r.u8();
  let id: number | null = null;
  if (flag === 1) id = r.u16();
  else if (flag !== 0) throw new CodecError(`invalid id flag 0x${flag.toString(16)}`, 1, 'Message.id');
  const lenAt = r.pos;
  const len = r.u32();
  if (len !== r.remaining()) {
    throw new CodecError(`data length ${len} does not match the ${r.remaining()} bytes that follow`, lenAt, 'Message.data');
  }
  return { type, id, data: r.take(len, 'data') };
}

/** Frames a payload value as message `name`, encoding it with the message's payload class. */
export function encodeMessage<N extends PayloadName>(name: N, payload: PayloadOf<N>, id: number | null): Uint8Array {
  const data = payloadCodec(name).encode(payload);
  return encodeFrame({ type: MessageType[name], id, data });
}
