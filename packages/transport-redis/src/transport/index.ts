// Public names of the transport concept: the Redis Streams Transport, its request scope and stream entries.
export { RedisTransport } from "./redis-transport.js";
export type { RedisTransportInit } from "./redis-transport.js";
export { RedisRequestScope } from "./request-scope.js";
export type { RequestScopeInit } from "./request-scope.js";
export { STREAM_MESSAGE_VERSION, decodeStreamMessage, encodeStreamMessage, frameTooLarge } from "./stream-message.js";
export type { StreamMessage } from "./stream-message.js";
export { TagState, compareStreamIds } from "./tag-state.js";
export type { Accepted, StoredFrame } from "./tag-state.js";
