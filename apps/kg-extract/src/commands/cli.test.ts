// The dispatcher in-process: help, usage errors with exit 2 and a message that says what to fix, --json errors.
import { describe, expect, it } from "vitest";
import type { CliIo } from "@apb/cli/toolkit";
import { runKgExtract } from "./main.js";

function io(): CliIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {}, out: () => out, err: () => err };
}

describe("kg-extract dispatcher", () => {
  it("prints help and lists the commands", async () => {
    const t = io();
    expect(await runKgExtract(["--help"], t)).toBe(0);
    for (const c of ["run", "export", "view", "bench"]) expect(t.out()).toContain(`  ${c} `);
    const h = io();
    expect(await runKgExtract(["export", "--help"], h)).toBe(0);
    expect(h.out()).toContain("--format json|graphml|cypher");
  });

  it("answers usage errors with exit 2 and what to fix", async () => {
    const cases: [string[], RegExp][] = [
      [[], /Usage: kg-extract <command>/],
      [["frobnicate"], /unknown command "frobnicate"/],
      [["run", "--corpus", "x"], /--db is required: give --db FILE/],
      [["run", "--corpus", "x", "--db", "y", "--hosts", "0"], /--hosts must be at least 1/],
      [["run", "--corpus", "x", "--db", "y", "--batch", "8"], /--batch sizes the corpus flows of a --redis run/],
      [["run", "--corpus", "x", "--db", "y", "--redis", "redis://h", "--hosts", "2"], /--hosts and --threads are for local runs/],
      [["run", "--corpus", "x", "--db", "y", "--redis", "redis://h", "--batch", "0"], /--batch must be at least 1/],
      [["run", "--corpus", "x", "--db", "y", "--redis", "redis://h", "--group", "g"], /unknown option --group for `kg-extract run`/],
      [["export", "--db", "x.db", "--format", "xml"], /--format must be one of json, graphml, cypher/],
      [["export", "--db", "/nonexistent/x.db", "--format", "json"], /there is no database at \/nonexistent\/x\.db/],
      [["run", "--corpus", "/nonexistent", "--db", "/nonexistent/x.db"], /the folder \/nonexistent does not exist/],
      [["view", "--db", "x.db", "--bogus"], /unknown option --bogus for `kg-extract view`/],
      [["run", "--corpus", "/nonexistent", "--db", "/tmp/kg-extract-never-created.db"], /--corpus \/nonexistent is not a folder/],
    ];
    for (const [argv, message] of cases) {
      const t = io();
      expect(await runKgExtract(argv, t), argv.join(" ")).toBe(2);
      expect(t.err(), argv.join(" ")).toMatch(message);
    }
  });

  it("prints one JSON error object with --json", async () => {
    const t = io();
    expect(await runKgExtract(["run", "--corpus", "/nonexistent", "--db", "/tmp/kg-extract-never-created.db", "--json"], t)).toBe(2);
    expect(JSON.parse(t.out())).toMatchObject({ ok: false, error: { code: "INPUT_INVALID", message: expect.stringContaining("/nonexistent") } });
  });
});
