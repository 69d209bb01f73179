// Type test (checked by tsc, STYLE.md G8): RedisConnection's events are typed; misspelt names and wrong listeners fail.

import type { ApbError } from "@apb/core";
import type { RedisConnection } from "./redis-connection.js";

export function typedEvents(c: RedisConnection): void {
  c.on("error", (err: ApbError) => void err.code);
  c.on("reconnecting", (delayMs: number) => void delayMs);
  c.once("ready", () => undefined);
  // @ts-expect-error: no such event
  c.on("eror", () => undefined);
  // @ts-expect-error: reconnecting passes a number
  c.on("reconnecting", (delay: string) => void delay);
}
