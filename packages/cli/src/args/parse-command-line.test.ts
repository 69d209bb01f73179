// Unit tests of argument parsing: defaults, conversions, and a UsageError that names the fix for every bad line.

import { describe, expect, it } from "vitest";
import type { ApbError } from "@apb/core";
import { benchOptions, generateOptions } from "../commands/index.js";
import { formatCommandHelp, optionTable, parseCommandLine, UsageError } from "./index.js";
import type { CommandSpec, OptionsSchema } from "./index.js";

function spec<S extends OptionsSchema>(name: string, schema: S): CommandSpec<S> {
  return { name, summary: "test", usage: "[options]", schema, run: async () => 0 };
}
const generate = spec("generate", generateOptions);
const bench = spec("bench", benchOptions);

function parse<S extends OptionsSchema>(s: CommandSpec<S>, argv: string[]) {
  const r = parseCommandLine(s, argv);
  if (r.help) throw new Error("unexpected --help");
  return r.options;
}

function usageError(s: CommandSpec<OptionsSchema>, argv: string[]): UsageError {
  try {
    parseCommandLine(s, argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as ApbError).isUserError).toBe(true);
    return err as UsageError;
  }
  throw new Error(`expected a usage error for ${argv.join(" ")}`);
}

describe("generate options", () => {
  it("applies defaults and converts kebab flags to typed values", () => {
    const o = parse(generate, ["--model", "m", "--prompt", "hi", "--max-tokens", "5", "--top-p", "0.5", "--hosts", "4", "--stop", "a", "--stop", "b"]);
    expect(o).toMatchObject({ model: "m", prompt: "hi", maxTokens: 5, topP: 0.5, hosts: 4, stop: ["a", "b"], backend: "onnx", json: false, temperature: 0 });
    expect(o.strategy).toBeUndefined();
  });

  it("accepts --flag=value and -h", () => {
    expect(parse(generate, ["--model=m", "--ids-file=f", "--anchor=0"])).toMatchObject({ model: "m", idsFile: "f", anchor: 0 });
    expect(parseCommandLine(generate, ["-h"])).toEqual({ help: true });
  });

  it.each([
    [["--model", "m", "--prompt", "x", "--max-tokns", "3"], /unknown option --max-tokns.*did you mean --max-tokens/],
    [["--model", "m", "--prompt", "x", "--frobnicate"], /unknown option --frobnicate for `apb generate`/],
    [["--model", "m", "--prompt", "x", "--max-tokens", "abc"], /--max-tokens must be an integer \(got "abc"\)/],
    [["--model", "m", "--prompt", "x", "--max-tokens", "0"], /--max-tokens must be at least 1/],
    [["--model", "m", "--prompt", "x", "--hosts", "2.5"], /--hosts must be an integer/],
    [["--model", "m", "--prompt", "x", "--top-p", "0"], /--top-p must be greater than 0/],
    [["--model", "m", "--prompt", "x", "--temperature", "hot"], /--temperature must be a number/],
    [["--model", "m", "--prompt", "x", "--strategy", "mesh"], /--strategy must be one of full, ring, star, apb/],
    [["--model", "m", "--prompt"], /--prompt is missing its value: give --prompt TEXT/],
    [["--model", "--prompt", "x"], /--model is missing its value/],
    [["--prompt", "x"], /--model is required: give --model DIR/],
    [["--model", "m"], /no prompt was given: give exactly one of --prompt/],
    [["--model", "m", "--prompt", "x", "--ids-file", "f"], /more than one prompt was given/],
    [["--model", "m", "--prompt", "x", "--json=yes"], /--json is a switch and takes no value/],
    [["--model", "m", "--prompt", "x", "stray"], /unexpected argument "stray"/],
    [["--model", "m", "--prompt", ""], /--prompt must not be empty/],
  ])("rejects %j", (argv, message) => {
    const err = usageError(generate, argv);
    expect(err.message).toMatch(message);
    expect(err.data?.help).toBe("apb generate --help");
  });
});

describe("bench options", () => {
  it("parses comma lists and defaults", () => {
    const o = parse(bench, ["--lengths", "256, 512", "--strategies", "full,ring,apb"]);
    expect(o).toMatchObject({ lengths: [256, 512], strategies: ["full", "ring", "apb"], hosts: 4, layers: 8, hidden: 512, heads: 8, kvHeads: 2, intermediate: 1024, vocab: 4096, repeat: 1 });
    expect(parse(bench, [])).toMatchObject({ lengths: [4096, 16384], strategies: ["full", "apb"], backend: "onnx" });
  });

  it.each([
    [["--lengths", "256,abc"], /--lengths \(item 2\) must be an integer \(got "256,abc"\)/],
    [["--lengths", ","], /--lengths needs at least one value/],
    [["--strategies", "full,mesh"], /--strategies \(item 2\) must be one of/],
    [["--hidden", "100", "--heads", "8"], /--hidden 100 must be a multiple of --heads 8/],
    [["--heads", "8", "--kv-heads", "3"], /--heads 8 must be a multiple of --kv-heads 3/],
    [["--vocab", "10"], /--vocab must be at least 48/],
  ])("rejects %j", (argv, message) => {
    expect(usageError(bench, argv).message).toMatch(message);
  });
});

describe("help text", () => {
  it("lists every option of the schema once, with defaults and placeholders", () => {
    const text = formatCommandHelp(generate);
    for (const row of optionTable(generateOptions)) {
      expect(text.split(`--${row.flag} `).length - 1 + text.split(`--${row.flag}\n`).length - 1).toBeGreaterThanOrEqual(1);
    }
    expect(text).toMatch(/--max-tokens N\s+tokens to generate at most \(default: 32\)/);
    expect(text).toMatch(/--model DIR\s+checkpoint folder[^]*\(required\)/);
    expect(text).toMatch(/--stop STR[^]*\(repeatable\)/);
    expect(formatCommandHelp(bench)).toMatch(/--lengths N,N\s+context lengths in tokens, comma-separated \(default: 4096,16384\)/);
  });
});
