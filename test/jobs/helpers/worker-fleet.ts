// Real worker processes for the job-layer tests: `node packages/cli/dist/bin.js worker ...` on the shipped model
// (onnx, one thread), started, killed, restarted and stopped by the test; their stderr is kept with timestamps.

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const MODEL_DIR = `${ROOT}packages/model-tiny/model`;
export const BIN = `${ROOT}packages/cli/dist/bin.js`;

/** One line a worker wrote, with when. */
export interface LogLine {
  readonly at: number;
  readonly group: string;
  readonly host: number;
  readonly text: string;
}

interface Proc {
  readonly group: string;
  readonly host: number;
  readonly hosts: number;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

export class WorkerFleet {
  readonly lines: LogLine[] = [];
  private readonly procs = new Map<string, Proc>();

  constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
    private readonly extraArgs: readonly string[] = [],
  ) {}

  /** Starts one worker and resolves once it says it is ready. */
  async start(group: string, host: number, hosts: number): Promise<void> {
    const args = [BIN, "worker", "--redis", this.redisUrl, "--prefix", this.prefix, "--group", group, "--host", String(host), "--hosts", String(hosts), "--model", MODEL_DIR, "--backend", "onnx", "--threads", "1", ...this.extraArgs];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip" } });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const p: Proc = { group, host, hosts, child, exited };
    this.procs.set(`${group}/${host}`, p);
    let buffered = "";
    const ready = new Promise<void>((resolve, reject) => {
      child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
        buffered += chunk;
        const parts = buffered.split("\n");
        buffered = parts.pop()!;
        for (const text of parts) {
          this.lines.push({ at: Date.now(), group, host, text });
          if (/ ready, pid /.test(text)) resolve();
        }
      });
      void exited.then((code) => reject(new Error(`worker ${group}/${host} exited with ${code} before it was ready:\n${this.logOf(group, host)}`)));
    });
    await ready;
  }

  /** Starts H workers of a group concurrently. */
  async startGroup(group: string, hosts: number): Promise<void> {
    await Promise.all(Array.from({ length: hosts }, (_, h) => this.start(group, h, hosts)));
  }

  /** SIGKILLs a worker (no cleanup of any kind) and waits for it to be gone. */
  async kill(group: string, host: number): Promise<void> {
    const p = this.procs.get(`${group}/${host}`)!;
    p.child.kill("SIGKILL");
    await p.exited;
    this.procs.delete(`${group}/${host}`);
  }

  /** SIGTERMs one worker; resolves with its exit code. */
  async stop(group: string, host: number): Promise<number | null> {
    const p = this.procs.get(`${group}/${host}`)!;
    p.child.kill("SIGTERM");
    const code = await p.exited;
    this.procs.delete(`${group}/${host}`);
    return code;
  }

  /** SIGTERMs every worker; resolves with their exit codes (each must stop within timeoutMs, else it is killed). */
  async stopAll(timeoutMs = 20_000): Promise<Record<string, number | null>> {
    const codes: Record<string, number | null> = {};
    await Promise.all(
      [...this.procs.entries()].map(async ([name, p]) => {
        p.child.kill("SIGTERM");
        const timer = setTimeout(() => p.child.kill("SIGKILL"), timeoutMs);
        codes[name] = await p.exited;
        clearTimeout(timer);
      }),
    );
    this.procs.clear();
    return codes;
  }

  /** Lines of one worker (for failure messages). */
  logOf(group: string, host: number): string {
    return this.lines.filter((l) => l.group === group && l.host === host).map((l) => l.text).join("\n");
  }

  /** The first line at or after `since` matching `pattern`. */
  find(pattern: RegExp, since = 0): LogLine | undefined {
    return this.lines.find((l) => l.at >= since && pattern.test(l.text));
  }
}
