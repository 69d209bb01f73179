// ChatAPB's option schema: defaults, the field-naming ChatAPBConfigError, per-call overrides without defaults, and
// the wire mapping of every serialised key (camelCase option → snake_case name in toJSON and invocation params).

import { ApbError } from "@apb/core";
import { QUERY_PREFIX, QUERY_START, QUERY_SUFFIX, modelTinyPath } from "@apb/model-tiny";
import { describe, expect, it } from "vitest";
import { SERIALISED_KEYS, chatApbFieldsSchema, parseCallOverrides, parseChatApbFields } from "./types.js";
import { snakeKeys } from "./utils/model_info.js";

function configError(input: unknown): ApbError {
  try {
    parseChatApbFields(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ApbError);
    return e as ApbError;
  }
  throw new TypeError(`expected ${JSON.stringify(input)} to be refused`);
}

const fakeClient = { generate: () => undefined, openSession: () => undefined, session: () => undefined, close: () => undefined };

describe("parseChatApbFields", () => {
  it("fills the defaults", () => {
    const f = parseChatApbFields({});
    expect(f).toMatchObject({ model: modelTinyPath(), hosts: 1, backend: "onnx", temperature: 0, topP: 1, topK: 0, seed: 0, maxTokens: 32, stop: [], documents: [] });
    expect(f).toMatchObject({ queryStart: QUERY_START, queryPrefix: QUERY_PREFIX, querySuffix: QUERY_SUFFIX, promptFormat: "auto" });
  });

  it.each([
    [{ temperature: -1 }, "temperature"],
    [{ topP: 0 }, "topP"],
    [{ hosts: 0 }, "hosts"],
    [{ maxTokens: 1.5 }, "maxTokens"],
    [{ stop: "x" }, "stop"],
    [{ backend: "gpu" }, "backend"],
    [{ engine: {} }, "engine"],
    [{ client: fakeClient }, "group"],
    [{ group: "g" }, "group"],
    [{ client: fakeClient, group: "bad group" }, "group"],
  ])("refuses %j naming %s", (input, field) => {
    const e = configError(input);
    expect(e.code).toBe("CONFIG_INVALID");
    expect(e.name).toBe("ChatAPBConfigError");
    expect(e.data).toEqual({ field });
    expect(e.message).toMatch(new RegExp(`^ChatAPB option ${field}: `));
  });

  it("accepts a client with its group", () => {
    expect(parseChatApbFields({ client: fakeClient, group: "g-1" }).group).toBe("g-1");
  });
});

describe("parseCallOverrides", () => {
  it("keeps unset keys unset (the model's values apply) and validates set ones", () => {
    expect(parseCallOverrides({ stop: ["x"], signal: undefined })).toEqual({});
    expect(parseCallOverrides({ maxTokens: 4, seed: 3 })).toEqual({ maxTokens: 4, seed: 3 });
    expect(() => parseCallOverrides({ temperature: -2 })).toThrow(/call option temperature/);
  });
});

describe("serialised keys", () => {
  it("are the options minus live objects and documents, each mapped to one distinct snake_case name", () => {
    const all = Object.keys(chatApbFieldsSchema.shape);
    expect(SERIALISED_KEYS).toEqual(all.filter((k) => !["engine", "client", "session", "documents"].includes(k)));
    const wire = Object.keys(snakeKeys(Object.fromEntries(SERIALISED_KEYS.map((k) => [k, 1]))));
    expect(new Set(wire).size).toBe(SERIALISED_KEYS.length);
    wire.forEach((w, i) => {
      expect(w).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(w.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())).toBe(SERIALISED_KEYS[i]);
    });
  });
});
