// JSON answers for withStructuredOutput: where the JSON may sit in the text, schema checks (zod, Standard Schema,
// plain JSON schema) and the typed error when the text is not what was asked for.

import { ApbError } from "@apb/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseJsonText, parseStructured } from "./structured_output.js";

const person = z.object({ name: z.string(), age: z.number() });

async function expectOutputInvalid(p: Promise<unknown>, pattern: RegExp): Promise<ApbError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApbError);
  expect((e as ApbError).code).toBe("OUTPUT_INVALID");
  expect((e as ApbError).message).toMatch(pattern);
  return e as ApbError;
}

describe("parseJsonText", () => {
  it("takes the whole text, a fenced block, or the outermost object or array", () => {
    expect(parseJsonText(' {"a": 1} ')).toEqual({ a: 1 });
    expect(parseJsonText('Here:\n```json\n{"a": [1, 2]}\n```\nDone.')).toEqual({ a: [1, 2] });
    expect(parseJsonText('The answer is {"a": {"b": 2}} as asked.')).toEqual({ a: { b: 2 } });
    expect(parseJsonText("values: [1, 2, 3]")).toEqual([1, 2, 3]);
  });
});

describe("parseStructured", () => {
  it("validates with zod", async () => {
    expect(await parseStructured('{"name": "Ada", "age": 36}', person)).toEqual({ name: "Ada", age: 36 });
    const e = await expectOutputInvalid(parseStructured('{"name": "Ada"}', person), /does not match the schema: age/);
    expect(e.data).toMatchObject({ text: '{"name": "Ada"}' });
  });

  it("validates with a Standard Schema", async () => {
    const standard = { "~standard": { version: 1, vendor: "test", validate: (v: unknown) => (typeof v === "object" && v !== null && "ok" in v ? { value: v } : { issues: [{ message: "needs ok" }] }) } };
    expect(await parseStructured('{"ok": true}', standard)).toEqual({ ok: true });
    await expectOutputInvalid(parseStructured('{"no": 1}', standard), /needs ok/);
  });

  it("a plain JSON schema of type object needs an object", async () => {
    expect(await parseStructured('{"x": 1}', { type: "object", properties: { x: { type: "number" } } })).toEqual({ x: 1 });
    await expectOutputInvalid(parseStructured("42", { type: "object" }), /not an object/);
  });

  it("text that is not JSON: OUTPUT_INVALID with the text", async () => {
    const e = await expectOutputInvalid(parseStructured("plum-harbor=12345", person), /not JSON/);
    expect(e.name).toBe("StructuredOutputError");
    expect(e.data).toEqual({ text: "plum-harbor=12345" });
  });
});
