// A redis-server of one test file's own, on a free loopback port, that the test can restart on the same port and
// folder (with or without its data: AOF persistence) without disturbing the shared server of the other test files.

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "../../../packages/transport-redis/test/redis-test-env.js";

export class OwnRedis {
  private proc: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private persist = false;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  /** Starts redis-server (no persistence) on a free port in a fresh folder. */
  static async start(): Promise<OwnRedis> {
    const r = new OwnRedis(await freePort(), await mkdtemp(join(tmpdir(), "apb-own-redis-")));
    await r.launch();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Turns AOF persistence on (fsync always) and waits until the first rewrite is on disk. */
  async enablePersistence(): Promise<void> {
    const c = await this.client();
    try {
      await c.config("SET", "appendfsync", "always");
      await c.config("SET", "appendonly", "yes");
      for (let i = 0; i < 200; i++) {
        const info = await c.info("persistence");
        if (/aof_enabled:1/.test(info) && /aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      c.disconnect();
    }
    this.persist = true;
  }

  /**
   * Stops the server (SIGTERM: with AOF on it flushes first) and starts it again on the same port and folder after
   * `downMs`; without persistence it comes back empty. @returns how long it was down (ms).
   */
  async restart(downMs = 200): Promise<number> {
    const t0 = Date.now();
    await this.kill();
    await new Promise((r) => setTimeout(r, downMs));
    await this.launch();
    return Date.now() - t0;
  }

  async stop(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async kill(): Promise<void> {
    this.proc?.kill("SIGTERM");
    await this.exited;
    this.proc = undefined;
  }

  private async launch(): Promise<void> {
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, "--save", "", "--maxmemory-policy", "noeviction", "--loglevel", "warning"];
    args.push("--appendonly", this.persist ? "yes" : "no", "--appendfsync", "always");
    const proc = spawn("redis-server", args, { stdio: "ignore" });
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.once("exit", () => resolve()));
    (await this.client()).disconnect();
  }

  /** A client once the server answers (it loads its AOF first). */
  private async client(): Promise<Redis> {
    for (let i = 0; ; i++) {
      const c = new Redis({ host: "127.0.0.1", port: this.port, lazyConnect: true, retryStrategy: () => null });
      c.on("error", () => undefined);
      try {
        await c.connect();
        await c.ping();
        return c;
      } catch (err) {
        c.disconnect();
        if (i >= 200) throw err;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  }
}
