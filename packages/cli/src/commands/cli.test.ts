// End-to-end tests of the built `apb` bin (node packages/cli/dist/bin.js): exit codes and messages for bad models,
// inputs and flags; generate's JSON and streamed output on tiny random checkpoints; a bench smoke run.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeRandomCheckpoint } from "@apb/core";
import type { CliIo, TextSink } from "../output/index.js";
import { runCli } from "./index.js";

const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));
const TINY = { numLayers: 2, hiddenSize: 64, numHeads: 4, numKvHeads: 2, intermediateSize: 128, vocabSize: 256, maxPositions: 256, retainingHeads: {} };

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function apb(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, APB_DEBUG: "" }, timeout: 50_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

let root = "";
let model = "";
const p = (...parts: string[]): string => join(root, ...parts);

/** Copies the tiny checkpoint and rewrites model.safetensors' header with `edit` (the data section is kept). */
async function withEditedHeader(name: string, edit: (h: Record<string, { shape: number[] }>) => void): Promise<string> {
  const dir = p(name);
  await mkdir(dir);
  for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json"]) await copyFile(join(model, f), join(dir, f));
  const bytes = await readFile(join(model, "model.safetensors"));
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString("utf8")) as Record<string, { shape: number[] }>;
  edit(header);
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  await writeFile(join(dir, "model.safetensors"), Buffer.concat([len, h, bytes.subarray(8 + n)]));
  return dir;
}

async function withFiles(name: string, files: Record<string, string | Buffer>): Promise<string> {
  const dir = p(name);
  await mkdir(dir);
  for (const [f, content] of Object.entries(files)) await writeFile(join(dir, f), content);
  return dir;
}

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npx turbo run build --filter=@apb/cli)`);
  root = await mkdtemp(join(tmpdir(), "apb-cli-test-"));
  model = (await writeRandomCheckpoint(p("tiny"), TINY)).dir;
  await writeFile(p("ids.txt"), "1 17 42 99 100 7\n23 8");
  await writeFile(p("oov.txt"), "1 2 999 3");
  await writeFile(p("not-ints.txt"), "1 2 three 4");
  await writeFile(p("long.txt"), Array.from({ length: 300 }, (_, i) => String(10 + (i % 200))).join(" "));
  await writeFile(p("prompt.txt"), "the sun is far and the sea is near");
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const ref = ["--backend", "reference"];

describe.concurrent("apb generate: bad models, inputs and flags exit 2 with a message that says what to fix", () => {
  const cases: [string, () => Promise<string[]>, RegExp][] = [
    ["missing model dir", async () => ["--model", p("no-such-model"), "--prompt", "hi"], /--model .*no-such-model: no such folder/],
    ["missing config.json", async () => ["--model", await withFiles("empty", {}), "--prompt", "hi"], /config\.json cannot be read: point at a Hugging Face checkpoint folder/],
    ["malformed config.json", async () => ["--model", await withFiles("bad-json", { "config.json": "{ not json" }), "--prompt", "hi"], /config\.json is not valid JSON/],
    [
      "unknown architecture",
      async () => ["--model", await withFiles("gpt2", { "config.json": JSON.stringify({ architectures: ["GPT2LMHeadModel"], model_type: "gpt2" }) }), "--prompt", "hi"],
      /architecture "GPT2LMHeadModel" is not supported/,
    ],
    [
      "safetensors header longer than the file",
      async () => {
        const len = Buffer.alloc(8);
        len.writeBigUInt64LE(1n << 40n);
        return ["--model", await withFiles("huge-header", { "config.json": await readFile(join(model, "config.json")), "model.safetensors": Buffer.concat([len, Buffer.from("{}")]) }), "--prompt", "hi"];
      },
      /header length 1099511627776 exceeds the file size/,
    ],
    [
      "tensor offsets past the end of the file",
      async () => {
        const dir = await withEditedHeader("past-eof", (h) => {
          const t = h["model.norm.weight"] as unknown as { data_offsets: number[] };
          t.data_offsets = [t.data_offsets[0]! + 1_000_000, t.data_offsets[1]! + 1_000_000];
        });
        return ["--model", dir, "--prompt", "hi"];
      },
      /tensor "model\.norm\.weight" has data_offsets .* outside the \d+-byte data section/,
    ],
    ["missing tensor", async () => ["--model", await withEditedHeader("missing-tensor", (h) => delete h["model.layers.1.mlp.up_proj.weight"]), "--prompt", "hi"], /has no tensor "model\.layers\.1\.mlp\.up_proj\.weight"/],
    [
      "mis-shaped tensor",
      async () => ["--model", await withEditedHeader("bad-shape", (h) => (h["model.layers.0.self_attn.k_proj.weight"]!.shape = [64, 32])), "--prompt", "hi"],
      /k_proj\.weight" expected \[32, 64\], found \[64, 32\]/,
    ],
    ["prompt longer than the model's positions", async () => ["--model", model, "--ids-file", p("long.txt")], /the prompt is 300 tokens; the model has 256 positions/],
    ["--passing larger than a block", async () => ["--model", model, "--ids-file", p("ids.txt"), "--hosts", "2", "--passing", "50"], /passing length 50 is longer than a block \(4 tokens\)/],
    ["--anchor on star", async () => ["--model", model, "--ids-file", p("ids.txt"), "--hosts", "2", "--strategy", "star", "--anchor", "2"], /--anchor and --passing apply to the apb strategy only/],
    ["full on 2 hosts", async () => ["--model", model, "--ids-file", p("ids.txt"), "--hosts", "2", "--strategy", "full"], /strategy full runs on one host; got 2 hosts/],
    ["token ids outside the vocabulary", async () => ["--model", model, "--ids-file", p("oov.txt"), "--question", "what"], /prompt token 2 is 999, outside the vocabulary \[0, 256\)/],
    ["ids that are not integers", async () => ["--model", model, "--ids-file", p("not-ints.txt")], /token 2 is "three", not a token id/],
    ["an unreadable ids file", async () => ["--model", model, "--ids-file", p("no-such-ids.txt")], /--ids-file .*no-such-ids\.txt cannot be read: no such file/],
    ["a missing prompt file", async () => ["--model", model, "--prompt-file", p("no-such-prompt.txt")], /--prompt-file .* cannot be read: no such file/],
    ["an unknown flag", async () => ["--model", model, "--prompt", "hi", "--temprature", "1"], /unknown option --temprature for `apb generate`; did you mean --temperature\?/],
    ["a bad number", async () => ["--model", model, "--prompt", "hi", "--max-tokens", "many"], /--max-tokens must be an integer \(got "many"\)/],
  ];
  it.each(cases)("%s", async (_name, argv, message) => {
    const r = await apb("generate", ...ref, ...(await argv()));
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/); // no stack trace
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
  });
});

describe.concurrent("apb (top level)", () => {
  it("prints help and exits 0; exits 2 on an unknown command or flag", async () => {
    const [help, genHelp, unknown, badBench, none] = await Promise.all([apb("--help"), apb("generate", "--help"), apb("generat"), apb("bench", "--lenghts", "4"), apb()]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/generate\s+run one prompt/);
    expect(help.stdout).not.toContain("bench-one");
    expect(genHelp.code).toBe(0);
    expect(genHelp.stdout).toMatch(/--ids-file FILE/);
    expect([unknown.code, unknown.stderr]).toEqual([2, 'apb: unknown command "generat"; the commands are demo, generate, eval, bench, worker, submit\nRun `apb --help` for usage.\n']);
    expect(badBench.code).toBe(2);
    expect(badBench.stderr).toMatch(/unknown option --lenghts for `apb bench`; did you mean --lengths\?/);
    expect(none.code).toBe(2);
  });
});

const JSON_KEYS = ["anchor", "backend", "backendNote", "finishReason", "hosts", "passing", "promptTokens", "selection", "strategy", "text", "timings", "tokens"];

describe.concurrent("apb generate --json", () => {
  it.each([
    ["reference", ["--hosts", "2"], "apb"],
    ["onnx", ["--hosts", "2"], "apb"],
    ["onnx", [], "full"],
  ])("prints one object on the %s backend (%j)", async (backend, extra, strategy) => {
    const r = await apb("generate", "--model", model, "--backend", backend, "--prompt", "the cat sat on the mat", "--question", "where is it", "--max-tokens", "4", "--json", ...extra);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(JSON_KEYS);
    expect(out).toMatchObject({ strategy, hosts: strategy === "full" ? 1 : 2, finishReason: "length", backend, backendNote: null });
    expect(out.tokens).toHaveLength(4);
    expect((out.tokens as number[]).every((t) => Number.isInteger(t) && t >= 0 && t < 256)).toBe(true);
    expect(typeof out.text).toBe("string");
    expect(Object.keys(out.timings as object).sort()).toEqual(["decodeMs", "prefillMs", "queryMs"]);
    expect(out.promptTokens).toBeGreaterThan(6);
  });

  it("--backend auto without a GPU runs onnx and says why in backendNote (and once on stderr when streaming)", async () => {
    const args = ["generate", "--model", model, "--backend", "auto", "--prompt", "the cat sat", "--max-tokens", "2"];
    const [json, streamed] = await Promise.all([apb(...args, "--json"), apb(...args)]);
    expect([json.code, json.stderr, streamed.code]).toEqual([0, "", 0]);
    const out = JSON.parse(json.stdout) as { backend: string; backendNote: string };
    expect(out.backend).toBe("onnx");
    expect(out.backendNote).toMatch(/^auto chose onnx: cuda is not available here \((NO_DRIVER|BINARY_MISSING): /);
    expect(streamed.stderr).toBe(`[apb] ${out.backendNote}\n`);
  });

  it("ring and exact apb give full attention's tokens (onnx)", async () => {
    // ids.txt: 8 ids → a 7-token context (the last id is the query) → blocks of 4 on 2 hosts.
    const short = ["--model", model, "--ids-file", p("ids.txt"), "--max-tokens", "6", "--json"];
    const [full, ring, apbExact] = await Promise.all([apb("generate", ...short), apb("generate", ...short, "--hosts", "2", "--strategy", "ring"), apb("generate", ...short, "--hosts", "2", "--anchor", "0", "--passing", "4")]);
    const tokens = (r: Run): unknown => (JSON.parse(r.stdout) as { tokens: number[] }).tokens;
    expect(tokens(ring)).toEqual(tokens(full));
    expect(tokens(apbExact)).toEqual(tokens(full));
  });
});

describe.concurrent("apb generate streaming", () => {
  it("streams ids for --ids-file and text for a text prompt, matching --json", async () => {
    const ids = ["--model", model, ...ref, "--ids-file", p("ids.txt"), "--max-tokens", "5"];
    const text = ["--model", model, ...ref, "--prompt-file", p("prompt.txt"), "--max-tokens", "5"];
    const [idsStream, idsJson, textStream, textJson] = await Promise.all([apb("generate", ...ids), apb("generate", ...ids, "--json"), apb("generate", ...text), apb("generate", ...text, "--json")]);
    expect(idsStream.code).toBe(0);
    expect(idsStream.stdout).toBe(`${(JSON.parse(idsJson.stdout) as { tokens: number[] }).tokens.join(" ")}\n`);
    expect(textStream.code).toBe(0);
    expect(textStream.stdout).toBe(`${(JSON.parse(textJson.stdout) as { text: string }).text}\n`);
  });

  it("writes each token to stdout as the engine samples it (in-process)", async () => {
    const writes: { s: string; at: number }[] = [];
    const stdout: TextSink = { write: (s: string) => writes.push({ s, at: performance.now() }) };
    const stderr: TextSink = { write: () => true };
    const io: CliIo = { stdout, stderr, env: {} };
    const code = await runCli(["generate", "--model", model, ...ref, "--ids-file", p("ids.txt"), "--max-tokens", "6"], io);
    expect(code).toBe(0);
    expect(writes.map((w) => w.s)).toHaveLength(7); // six tokens, then the newline
    expect(writes.slice(0, 6).every((w) => /^ ?\d+$/.test(w.s))).toBe(true);
  });
});

describe("apb bench", () => {
  it("runs a tiny configuration per child process and prints valid JSON rows", async () => {
    const out = p("bench.json");
    const tiny = ["--lengths", "128", "--layers", "1", "--hidden", "64", "--heads", "4", "--kv-heads", "2", "--intermediate", "64", "--vocab", "128", "--hosts", "2"];
    const r = await apb("bench", ...tiny, "--strategies", "full,apb", "--json", "--out", out);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows.map((x) => [x.strategy, x.hosts, x.tokens])).toEqual([["full", 1, 128], ["apb", 2, 128]]);
    for (const row of rows) {
      expect(row.prefillMs).toBeGreaterThan(0);
      expect(row.peakRssMB).toBeGreaterThan(10);
      expect(typeof row.queryMs).toBe("number");
    }
    expect(rows[0]!.speedup).toBe(1);
    expect(rows[1]!.anchor).toBeGreaterThan(0);
    const written = JSON.parse(await readFile(out, "utf8")) as { rows: unknown[]; machine: { cpus: number }; model: { layers: number } };
    expect(written.rows).toEqual(rows);
    expect(written.model.layers).toBe(1);
    expect(r.stderr).toMatch(/bench \[2\/2\] apb on 2 host\(s\), 128 tokens/);
  });
});
