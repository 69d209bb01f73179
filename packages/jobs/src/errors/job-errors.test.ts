// Unit tests of errors across BullMQ: round trips by code, user errors unrecoverable, foreign reasons typed.

import { InputError, SessionError, TransportError } from "@apb/core";
import { UnrecoverableError } from "bullmq";
import { describe, expect, it } from "vitest";
import { JobLostError, RetryableJobError, decodeJobError, encodeJobError, throwIfAborted, toBullFailure } from "./index.js";

describe("job errors", () => {
  it("round-trips {code, message, data} and rebuilds the class by code", () => {
    const e = decodeJobError(encodeJobError(new SessionError("SESSION_EXPIRED", "gone", { session: "s" }).toJSON()));
    expect(e).toBeInstanceOf(SessionError);
    expect(e.toJSON()).toEqual({ code: "SESSION_EXPIRED", message: "gone", data: { session: "s" } });
  });

  it("makes user errors and aborts unrecoverable, runtime failures retryable", () => {
    expect(toBullFailure(new InputError("PROMPT_TOO_LONG", "long"))).toBeInstanceOf(UnrecoverableError);
    expect(toBullFailure(new TransportError("ABORTED", "stop"))).toBeInstanceOf(UnrecoverableError);
    const retry = toBullFailure(new TransportError("HOST_FAILED", "host 1 stopped"));
    expect(retry).toBeInstanceOf(RetryableJobError);
    expect(decodeJobError(retry.message).code).toBe("HOST_FAILED");
    expect(toBullFailure(retry)).toBeInstanceOf(RetryableJobError); // idempotent
    expect(decodeJobError(toBullFailure(new Error("boom")).message)).toMatchObject({ code: "INTERNAL", message: "boom" });
  });

  it("types a reason that is not ours (BullMQ's own) as HOST_FAILED with the text", () => {
    for (const reason of ["job stalled more than allowable limit", '{"code":42}', undefined]) {
      const e = decodeJobError(reason);
      expect(e.code).toBe("HOST_FAILED");
      expect(e.data).toEqual({ failedReason: reason });
    }
  });

  it("types a job lost with Redis's data as TRANSPORT_CLOSED (retryable, names the job) that survives the wire", () => {
    const e = new JobLostError("group-g", "42");
    expect(e).toBeInstanceOf(TransportError);
    expect([e.name, e.code, e.isUserError, e.data]).toEqual(["JobLostError", "TRANSPORT_CLOSED", false, { queue: "group-g", jobId: "42", lost: true }]);
    expect(decodeJobError(encodeJobError(e.toJSON())).toJSON()).toEqual(e.toJSON());
  });

  it("turns an aborted signal into a typed ABORTED", () => {
    expect(() => throwIfAborted(AbortSignal.abort(), "x")).toThrow(expect.objectContaining({ code: "ABORTED" }));
    expect(() => throwIfAborted(undefined, "x")).not.toThrow();
  });
});
