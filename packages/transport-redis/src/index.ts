// @apb/transport-redis public API: the engine's Transport over Redis Streams (ioredis), per-request scopes, options.
export { RedisConnection } from "./connection/index.js";
export type { RedisConnectionEvents } from "./connection/index.js";
export { RedisKeys, RequestKeys } from "./keys/index.js";
export { RedisConfigError, parseRedisTransportOptions, redactUrl, redisTransportOptionsSchema } from "./options/index.js";
export type { RedisTransportOptions, RedisTransportOptionsInput } from "./options/index.js";
export { RedisRequestScope, RedisTransport, STREAM_MESSAGE_VERSION } from "./transport/index.js";
export type { RedisTransportInit, RequestScopeInit, StreamMessage } from "./transport/index.js";
export { cleanupRequest, createTransport, redisTransportModuleOptionsSchema } from "./module/index.js";
export type { RedisTransportModuleOptions } from "./module/index.js";
