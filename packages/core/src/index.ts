// @apb/core public API: model loading, planning, the host engine, backends and transports contracts.
export * from "./errors/index.js";
export * from "./tensor/index.js";
export * from "./backend/index.js";
export * from "./util/index.js";
export * from "./model/index.js";
