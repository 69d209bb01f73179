// Errors of the worker runtime: options it cannot run with.

import { ApbError } from "@apb/core";

/** A worker option that cannot work (bad value, a host index already running). */
export class ConfigError extends ApbError {
  constructor(message: string, data?: Record<string, unknown>) {
    super("CONFIG_INVALID", message, data === undefined ? undefined : { data });
    this.name = "ConfigError";
  }
}
