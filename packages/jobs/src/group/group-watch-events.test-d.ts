// Type test (checked by tsc, STYLE.md G8): GroupWatch's events are typed; misspelt names and wrong listeners fail.

import type { GroupWatch, Instances } from "./index.js";

export function typedEvents(w: GroupWatch): void {
  w.on("change", (now: Instances) => void now.length);
  // @ts-expect-error: no such event
  w.on("changed", () => undefined);
  // @ts-expect-error: change passes the instances, not a number
  w.on("change", (n: number) => void n);
}
