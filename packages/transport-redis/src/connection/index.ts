// Public names of the connection concept: one process's Redis connections, their events and error mapping.
export type { RedisConnectionEvents } from "./connection-events.js";
export { RedisConnection } from "./redis-connection.js";
export { redisFailure } from "./redis-errors.js";
