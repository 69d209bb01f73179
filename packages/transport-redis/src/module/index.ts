// Public names of the module concept: the TransportFactory entry core's host threads load, and request cleanup.
export { cleanupRequest, createTransport, redisTransportModuleOptionsSchema } from "./transport-module.js";
export type { RedisTransportModuleOptions } from "./transport-module.js";
