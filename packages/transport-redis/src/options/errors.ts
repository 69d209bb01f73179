// Errors of the options concept: a Redis transport configured with values it cannot use.

import { ApbError } from "@apb/core";

/** A bad Redis URL or option; the message names the field and what to change. */
export class RedisConfigError extends ApbError {
  constructor(message: string, data?: Record<string, unknown>) {
    super("CONFIG_INVALID", message, data === undefined ? undefined : { data });
    this.name = "RedisConfigError";
  }
}
