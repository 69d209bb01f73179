// Public names of the transport concept: the contract and the in-process implementation.
export { hubTransports } from "./hub-transports.js";
export { RequestHub } from "./in-process-hub.js";
export type { HubReplies } from "./in-process-hub.js";
export { PortTransport } from "./port-transport.js";
export type { HubReply, HubRequest } from "./port-transport.js";
export type { ClosableTransport, TakeOptions, Transport, TransportFactory, TransportInit } from "./transport.js";
