// Maps what ioredis throws onto the SDK's typed errors, in one place (STYLE.md G7). Branches on error names and
// on Redis's own protocol error codes (the reply's first word), never on free message text.

import { ApbError, TransportError } from "@apb/core";
import { RedisConfigError } from "../options/index.js";

const AUTH_CODES = new Set(["WRONGPASS", "NOAUTH", "NOPERM"]);

/** The protocol error code of a Redis reply error (`WRONGPASS`, `OOM`, ...). */
function replyCode(err: Error): string {
  return err.message.split(" ", 1)[0] ?? "";
}

/**
 * A typed error for a failed Redis call. `what` names the operation (`XADD kv:3`).
 * - AUTH failures: RedisConfigError (fix the URL's user:password);
 * - other reply errors (OOM, WRONGTYPE, ...): ApbError INTERNAL with the reply;
 * - everything else (connection lost, retries exhausted, closed): TRANSPORT_CLOSED.
 */
export function redisFailure(err: unknown, what: string): ApbError {
  if (err instanceof ApbError) return err;
  if (!(err instanceof Error)) return new ApbError("INTERNAL", `Redis ${what} failed: ${String(err)}`, { cause: err });
  if (err.name === "ReplyError") {
    const code = replyCode(err);
    if (AUTH_CODES.has(code)) return new RedisConfigError(`Redis refused ${what}: ${err.message}; check the user and password in the Redis URL`, { redisCode: code });
    return new ApbError("INTERNAL", `Redis rejected ${what}: ${err.message}`, { cause: err, data: { redisCode: code } });
  }
  return new TransportError("TRANSPORT_CLOSED", `Redis ${what} failed: ${err.message}`, { cause: err });
}
