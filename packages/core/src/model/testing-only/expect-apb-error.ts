// Test helper: runs a function or awaits a promise that must fail with an ApbError, and returns that error.
import { expect } from "vitest";
import { ApbError } from "../../errors/apb-error.js";
import type { ApbErrorCode } from "../../errors/apb-error.js";

/** Asserts that `action` fails with an ApbError of `code` whose message matches `pattern`; returns the error. */
export async function expectApbError(action: Promise<unknown> | (() => unknown), code: ApbErrorCode, pattern?: RegExp): Promise<ApbError> {
  let caught: unknown;
  try {
    await (typeof action === "function" ? action() : action);
  } catch (err) {
    caught = err;
  }
  expect(caught, "expected an ApbError to be thrown").toBeInstanceOf(ApbError);
  const e = caught as ApbError;
  expect(e.code, e.message).toBe(code);
  if (pattern !== undefined) expect(e.message).toMatch(pattern);
  return e;
}
