// Unit tests of `apb worker` / `apb submit` argument handling (no Redis): usage errors name the fix, and an
// unreachable Redis is a typed runtime failure (exit 1), not a hang.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../output/index.js";
import { runCli } from "./index.js";

function io(env: Record<string, string> = {}): CliIo & { out(): string; err(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env, out: () => out.join(""), err: () => err.join("") };
}

describe("apb submit / apb worker usage", () => {
  it.each([
    [["submit", "--redis", "redis://x", "--question", "q"], /give exactly one of --context-file FILE \(with --group G\) or --corpus DIR/],
    [["submit", "--redis", "redis://x", "--context-file", "f"], /--context-file runs on one group: give --group G/],
    [["submit", "--redis", "redis://x", "--corpus", "d"], /--corpus needs exactly one of --question TEXT \(asked of every document\) or --task facts/],
    [["submit", "--redis", "redis://x", "--corpus", "d", "--question", "q", "--task", "facts"], /--corpus needs exactly one of --question TEXT/],
    [["submit", "--redis", "redis://x", "--corpus", "d", "--task", "graphs"], /--task must be one of facts \(got "graphs"\)/],
    [["submit", "--redis", "redis://x", "--group", "g", "--context-file", "f", "--task", "facts"], /--task runs over a --corpus DIR; for --context-file give --question TEXT/],
    [["submit", "--redis", "redis://x", "--group", "g", "--context-file", "/no/such/file", "--question", "q"], /--context-file \/no\/such\/file cannot be read: no such file/],
    [["worker", "--redis", "redis://x", "--group", "g", "--host", "2", "--hosts", "2", "--model", "m"], /--host 2 must be smaller than --hosts 2/],
    [["worker", "--redis", "redis://x", "--group", "g", "--host", "0", "--hosts", "2", "--model", "/no/such/model"], /--model \/no\/such\/model: no such folder/],
  ])("%j exits 2 with a message", async (argv, message) => {
    const o = io();
    expect(await runCli(argv, o)).toBe(2);
    expect(o.err()).toMatch(message);
  });

  it("--task facts refuses a corpus that names no entity before connecting", async () => {
    const dir = await mkdtemp(join(tmpdir(), "apb-facts-usage-"));
    try {
      await writeFile(join(dir, "a.txt"), "the cat sat on the mat. It was quiet.");
      const o = io();
      expect(await runCli(["submit", "--redis", "redis://127.0.0.1:1", "--corpus", dir, "--task", "facts"], o)).toBe(2);
      expect(o.err()).toMatch(/no document names a candidate entity/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("without --redis and without APB_REDIS_URL, says how to give the URL (exit 2)", async () => {
    const self = new URL(import.meta.url).pathname;
    for (const argv of [["submit", "--group", "g", "--context-file", self, "--question", "q"], ["worker", "--group", "g", "--host", "0", "--hosts", "1", "--model", "."]]) {
      const o = io();
      expect(await runCli(argv, o)).toBe(2);
      expect(o.err()).toMatch(/--redis URL is required \(or set APB_REDIS_URL\)/);
    }
  });

  it("takes the URL from APB_REDIS_URL when --redis is absent (kept out of the process list); --redis wins", async () => {
    const self = new URL(import.meta.url).pathname;
    const o = io({ APB_REDIS_URL: "redis://127.0.0.1:1" });
    expect(await runCli(["submit", "--group", "g", "--context-file", self, "--question", "q"], o)).toBe(1);
    expect(o.err()).toMatch(/cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/);
    const p = io({ APB_REDIS_URL: "redis://127.0.0.1:1" });
    expect(await runCli(["submit", "--redis", "redis://127.0.0.1:2", "--group", "g", "--context-file", self, "--question", "q"], p)).toBe(1);
    expect(p.err()).toMatch(/cannot connect to Redis at redis:\/\/127\.0\.0\.1:2/);
  });

  it("reports an unreachable Redis as a runtime failure (exit 1)", async () => {
    const o = io();
    expect(await runCli(["submit", "--redis", "redis://127.0.0.1:1", "--group", "g", "--context-file", new URL(import.meta.url).pathname, "--question", "q"], o)).toBe(1);
    expect(o.err()).toMatch(/\[TRANSPORT_CLOSED\]: cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
