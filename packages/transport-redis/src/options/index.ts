// Public names of the options concept: the zod schema of the transport's options and its errors.
export { RedisConfigError } from "./errors.js";
export { REDIS_MAX_BULK_BYTES, parseRedisTransportOptions, redactUrl, redisTransportOptionsSchema, toIoredisOptions } from "./options.js";
export type { RedisTransportOptions, RedisTransportOptionsInput } from "./options.js";
