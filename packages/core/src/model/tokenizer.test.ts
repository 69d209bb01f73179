// Tests for tokenizer loading: the random checkpoint's word-level tokenizer, chat templates and malformed files.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeRandomCheckpoint } from "./random-checkpoint.js";
import { expectApbError } from "./testing-only/expect-apb-error.js";
import { TINY_BOS_ID, TINY_EOS_ID, tinyTokenizerFiles } from "./tiny-tokenizer.js";
import { ApbTokenizer, loadTokenizer } from "./tokenizer.js";

let tmp: string;
let ckpt: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "apb-tokenizer-"));
  ckpt = join(tmp, "ckpt");
  await writeRandomCheckpoint(ckpt, { vocabSize: 256 });
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("loadTokenizer on a random checkpoint", () => {
  it("encodes and decodes text, with BOS and digit pieces", async () => {
    const tok = (await loadTokenizer(ckpt))!;
    expect(tok.vocabSize).toBe(256);
    expect(tok.eosTokenIds).toEqual([TINY_EOS_ID]);
    expect(tok.tokenToId("<s>")).toBe(TINY_BOS_ID);
    expect(tok.tokenToId("secret")).toBeGreaterThan(6);
    expect(tok.tokenToId("zebra-crossing")).toBeUndefined();
    const text = "the secret number is 40721. what is the secret number?";
    const ids = tok.encode(text);
    expect(ids).toBeInstanceOf(Int32Array);
    expect(ids[0]).toBe(TINY_BOS_ID);
    expect(Math.max(...ids)).toBeLessThan(256);
    expect(ids).not.toContain(tok.tokenToId("<unk>"));
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe(text);
    expect(tok.decode(ids)).toBe(`<s> ${text}`);
    expect(Array.from(tok.encode(text, { addSpecialTokens: false }))).toEqual(Array.from(ids.subarray(1)));
    expect(tok.decode([])).toBe("");
  });

  it("lowercases and maps unknown words to <unk>", async () => {
    const tok = (await loadTokenizer(ckpt))!;
    const ids = tok.encode("The XYZZY", { addSpecialTokens: false });
    expect(Array.from(ids)).toEqual([tok.tokenToId("the"), tok.tokenToId("<unk>")]);
  });

  it("applies the chat template, which tokenizes back to its special tokens", async () => {
    const tok = (await loadTokenizer(ckpt))!;
    const chat = tok.applyChatTemplate(
      [
        { role: "system", content: "answer the question." },
        { role: "user", content: "what is the key?" },
      ],
      { addGenerationPrompt: true },
    )!;
    expect(chat).toBe("<s><|system|> answer the question. </s> <|user|> what is the key? </s> <|assistant|>");
    const ids = Array.from(tok.encode(chat, { addSpecialTokens: false }));
    expect(ids.slice(0, 2)).toEqual([TINY_BOS_ID, tok.tokenToId("<|system|>")]);
    expect(ids.at(-1)).toBe(tok.tokenToId("<|assistant|>"));
    expect(ids.filter((id) => id === TINY_EOS_ID)).toHaveLength(2);
    expect(tok.applyChatTemplate([{ role: "user", content: "hi" }])).toBe("<s><|user|> hi </s> ");
  });
});

describe("loadTokenizer edge cases", () => {
  it("returns undefined without tokenizer.json", async () => {
    expect(await loadTokenizer(await mkdtemp(join(tmp, "none-")))).toBeUndefined();
  });

  it("reports malformed files as TOKENIZER_INVALID, naming the file", async () => {
    const dir = await mkdtemp(join(tmp, "bad-"));
    await writeFile(join(dir, "tokenizer.json"), "{ not json");
    await expectApbError(loadTokenizer(dir), "TOKENIZER_INVALID", /tokenizer\.json: tokenizer\.json is not valid JSON/);
    await writeFile(join(dir, "tokenizer.json"), JSON.stringify({ version: "1.0", added_tokens: [] }));
    await expectApbError(loadTokenizer(dir), "TOKENIZER_INVALID", /cannot build the tokenizer/);
    const { tokenizerJson } = tinyTokenizerFiles(64);
    await writeFile(join(dir, "tokenizer.json"), JSON.stringify(tokenizerJson));
    await writeFile(join(dir, "tokenizer_config.json"), "[]");
    await expectApbError(loadTokenizer(dir), "TOKENIZER_INVALID", /tokenizer_config\.json: expected a JSON object/);
    await writeFile(join(dir, "tokenizer_config.json"), JSON.stringify({ chat_template: "{% for m in messages %}" }));
    await expectApbError(loadTokenizer(dir), "TOKENIZER_INVALID", /chat template does not parse/);
  });

  it("has no chat template when none is given, and prefers chat_template.jinja over tokenizer_config", async () => {
    const dir = await mkdtemp(join(tmp, "tpl-"));
    const { tokenizerJson } = tinyTokenizerFiles(64);
    await writeFile(join(dir, "tokenizer.json"), JSON.stringify(tokenizerJson));
    await writeFile(join(dir, "tokenizer_config.json"), JSON.stringify({ eos_token: { content: "</s>", __type: "AddedToken" } }));
    const plain = (await loadTokenizer(dir))!;
    expect(plain.applyChatTemplate([{ role: "user", content: "hi" }])).toBeUndefined();
    expect(plain.eosTokenIds).toEqual([TINY_EOS_ID]);
    await writeFile(join(dir, "chat_template.jinja"), "{% for m in messages %}[{{ m.content }}]{% endfor %}{{ eos_token }}");
    expect((await loadTokenizer(dir))!.applyChatTemplate([{ role: "user", content: "hi" }])).toBe("[hi]</s>");
  });

  it("picks the default of a list of named templates and reports template exceptions as INPUT_INVALID", async () => {
    const { tokenizerJson } = tinyTokenizerFiles(64);
    const tok = ApbTokenizer.fromJson(tokenizerJson, {
      chat_template: [
        { name: "tool_use", template: "tools" },
        { name: "default", template: "{% if messages[0].role != 'user' %}{{ raise_exception('user first') }}{% endif %}ok" },
      ],
    });
    expect(tok.applyChatTemplate([{ role: "user", content: "x" }])).toBe("ok");
    await expectApbError(() => tok.applyChatTemplate([{ role: "assistant", content: "x" }]), "INPUT_INVALID", /user first/);
  });
});
