// The hub: serves takes in host order once frames arrive, frees frames after their readers, fails everyone on failure.
import { describe, expect, it } from "vitest";
import type { SerializedApbError } from "../errors/index.js";
import { RequestHub } from "./in-process-hub.js";

function recorder(): { hub: RequestHub; got: Map<string, Uint8Array[] | SerializedApbError> } {
  const got = new Map<string, Uint8Array[] | SerializedApbError>();
  const hub = new RequestHub({
    frames: (host, id, frames) => got.set(`${host}:${id}`, frames),
    failed: (host, id, error) => got.set(`${host}:${id}`, error),
  });
  return { hub, got };
}

describe("RequestHub", () => {
  it("answers a take when every asked host has put, in the asked order", () => {
    const { hub, got } = recorder();
    hub.take(2, 1, "kv:0", [0, 1]);
    hub.put(1, "kv:0", Uint8Array.of(1), 1);
    expect(got.size).toBe(0);
    hub.put(0, "kv:0", Uint8Array.of(0), 2);
    expect((got.get("2:1") as Uint8Array[]).map((f) => f[0])).toEqual([0, 1]);
    expect(hub.numHeld).toBe(1); // host 0's block still has a reader to come
    hub.take(1, 1, "kv:0", [0]);
    expect(hub.numHeld).toBe(0);
  });

  it("fails pending and later takes once a host fails", () => {
    const { hub, got } = recorder();
    hub.take(0, 1, "p:0:0", [1]);
    hub.fail({ code: "BACKEND_FAILED", message: "boom" });
    expect(got.get("0:1")).toMatchObject({ code: "HOST_FAILED", message: "boom" });
    hub.take(1, 2, "p:0:0", [0]);
    expect(got.get("1:2")).toMatchObject({ code: "HOST_FAILED" });
  });

  it("treats a duplicate put as a failure", () => {
    const { hub } = recorder();
    hub.put(0, "t:0", Uint8Array.of(1), 1);
    hub.put(0, "t:0", Uint8Array.of(1), 1);
    expect(hub.failed?.message).toMatch(/twice/);
  });
});
