// Starts and stops the benchmark's worker processes (bench-worker.js), one per host of each group.

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { ApbError } from "@apb/core";
import type { WorkerOptionsInput } from "../runtime/index.js";

const ENTRY = new URL("./bench-worker.js", import.meta.url);

/** Worker processes of `groups` groups of `hosts` hosts each. */
export class BenchFleet {
  private readonly procs: ChildProcess[] = [];

  /** Starts every process and waits until each is ready. @throws ApbError INTERNAL when one exits first. */
  async start(base: Omit<WorkerOptionsInput, "group" | "host" | "hosts">, layout: { groups: readonly string[]; hosts: number }): Promise<void> {
    const starts: Promise<void>[] = [];
    for (const group of layout.groups) {
      for (let host = 0; host < layout.hosts; host++) {
        const child = spawn(process.execPath, [ENTRY.pathname, JSON.stringify({ ...base, group, host, hosts: layout.hosts })], { stdio: ["pipe", "pipe", "inherit"] });
        this.procs.push(child);
        starts.push(
          new Promise<void>((resolve, reject) => {
            child.stdout!.setEncoding("utf8").on("data", (s: string) => s.includes("ready") && resolve());
            child.once("exit", (code) => reject(new ApbError("INTERNAL", `bench worker ${group}/${host} exited with ${code}`)));
          }),
        );
      }
    }
    await Promise.all(starts);
  }

  /** SIGTERMs every process and waits for it to exit. */
  async stop(): Promise<void> {
    await Promise.all(
      this.procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null) return resolve();
            p.once("exit", () => resolve());
            p.kill("SIGTERM");
          }),
      ),
    );
    this.procs.length = 0;
  }
}
