// Public names of the connection concept.
export { closeRedis, connectRedis } from "./redis-client.js";
export type { RedisClientOptions } from "./redis-client.js";
