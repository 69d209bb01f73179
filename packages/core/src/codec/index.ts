// Public names of the codec concept: binary frames shared by every transport.
export { crc32 } from "./crc32.js";
export { decodeFrame, expectFrame } from "./decode.js";
export { FRAME_HEADER_BYTES, FRAME_MAGIC, FRAME_VERSION, FrameKind, encodeError, encodeKvBlock, encodePartial, encodeToken } from "./frame.js";
export type { Frame } from "./frame.js";
