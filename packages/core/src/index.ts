// @apb/core public API: model loading, planning, the host engine, backends and transports contracts.
export * from "./errors/index.js";
export * from "./tensor/index.js";
export * from "./backend/index.js";
export * from "./backend-reference/index.js";
export * from "./util/index.js";
export * from "./model/index.js";
export * from "./plan/index.js";
export * from "./selection/index.js";
export * from "./attention/index.js";
export * from "./sampling/index.js";
export * from "./codec/index.js";
export * from "./transport/index.js";
export * from "./engine/index.js";
