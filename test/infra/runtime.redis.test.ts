// infra/ against a real Redis: redis-server starts with infra/redis.conf as shipped (noeviction, AOF, protected mode,
// password from the command line), and infra/worker-probe.mjs answers from the heartbeat key as documented.

import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { JobKeys } from "@apb/jobs";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { REDIS_URL, describeRedis, freePort, testPrefix } from "../../packages/transport-redis/test/redis-test-env.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PROBE = join(ROOT, "infra/worker-probe.mjs");

const hasRedisServer = await new Promise<boolean>((resolve) => {
  const p = spawn("redis-server", ["--version"], { stdio: "ignore" });
  p.once("error", () => resolve(false));
  p.once("exit", (code) => resolve(code === 0));
});
if (!hasRedisServer) console.warn("redis-server is not installed: skipping the infra/redis.conf start-up check (make test installs it)");

describe.skipIf(!hasRedisServer)("redis-server with infra/redis.conf", () => {
  const password = "infra-test-password";
  let dir: string;
  let port: number;
  let server: ReturnType<typeof spawn>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "apb-infra-redis-"));
    port = await freePort();
    // The shipped file, with its data folder (/data in the containers) moved to a temporary one.
    const conf = (await readFile(join(ROOT, "infra/redis.conf"), "utf8")).replace(/^dir \/data$/m, `dir ${dir}`);
    await writeFile(join(dir, "redis.conf"), conf);
    server = spawn("redis-server", [join(dir, "redis.conf"), "--port", String(port), "--bind", "127.0.0.1", "--requirepass", password], { stdio: "ignore" });
  });

  afterAll(async () => {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
    await rm(dir, { recursive: true, force: true });
  });

  it("starts, refuses clients without the password, runs with noeviction and AOF everysec; the probe logs in", async () => {
    const client = new Redis({ host: "127.0.0.1", port, password, retryStrategy: () => 100 });
    client.on("error", () => undefined); // refused until the server listens; the ping below waits for it
    try {
      await client.ping();
      const get = async (name: string): Promise<string> => ((await client.config("GET", name)) as string[])[1]!;
      expect(await get("maxmemory-policy")).toBe("noeviction");
      expect(await get("appendonly")).toBe("yes");
      expect(await get("appendfsync")).toBe("everysec");
      expect(await get("protected-mode")).toBe("yes");
      const anonymous = new Redis({ host: "127.0.0.1", port, lazyConnect: true, retryStrategy: () => null });
      const errors: string[] = [];
      anonymous.on("error", (err: Error) => errors.push(err.message));
      await expect(anonymous.connect()).rejects.toThrow();
      expect(errors.join("\n")).toMatch(/NOAUTH/);
      anonymous.disconnect();
      // The worker probe with a password in its URL, as the manifests give it.
      const prefix = testPrefix();
      await client.set(new JobKeys(prefix).heartbeat("g0", 0), "instance", "PX", 10_000);
      const env = { APB_REDIS_URL: `redis://:${password}@127.0.0.1:${port}`, APB_PREFIX: prefix, APB_GROUP: "g0", APB_HOST: "0" };
      expect((await probe("ready", env)).code).toBe(0);
      expect((await probe("ready", { ...env, APB_REDIS_URL: `redis://:wrong@127.0.0.1:${port}` })).code).toBe(1);
    } finally {
      client.disconnect();
    }
  });
});

/** Runs the probe; resolves with its exit code and output line. */
function probe(mode: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [PROBE, mode], { env: { PATH: process.env.PATH ?? "", ...env }, timeout: 20_000 }, (err, stdout) => {
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : -1, out: stdout.trim() });
    });
  });
}

describeRedis("infra/worker-probe.mjs", () => {
  const prefix = testPrefix();
  const key = new JobKeys(prefix).heartbeat("g0", 1);
  const env = { APB_REDIS_URL: REDIS_URL!, APB_PREFIX: prefix, APB_GROUP: "g0", APB_HOST: "1" };
  let raw: Redis;

  beforeAll(() => {
    raw = new Redis(REDIS_URL!);
  });
  afterEach(async () => {
    await raw.del(key);
  });
  afterAll(() => raw.disconnect());

  it("ready and live pass while the host's heartbeat key exists; both fail once it is gone", async () => {
    await raw.set(key, "instance", "PX", 10_000);
    expect(await probe("ready", env)).toEqual({ code: 0, out: `ok: ${key} is present` });
    expect((await probe("live", env)).code).toBe(0);
    await raw.del(key);
    const ready = await probe("ready", env);
    expect(ready.code, ready.out).toBe(1);
    expect(ready.out).toMatch(/is missing/);
    expect((await probe("live", { ...env, APB_HOST: "0" })).code).toBe(1); // another host's key does not count
  });

  it("an unreachable Redis fails ready but passes live; bad configuration exits 2", async () => {
    const nowhere = { ...env, APB_REDIS_URL: `redis://127.0.0.1:${await freePort()}` };
    const ready = await probe("ready", nowhere);
    expect(ready.code).toBe(1);
    expect(ready.out).toMatch(/Redis unreachable/);
    expect((await probe("live", nowhere)).code).toBe(0);
    expect((await probe("ready", { ...env, APB_HOST: "first" })).code).toBe(2);
    expect((await probe("ready", { ...env, APB_REDIS_URL: "localhost:6379" })).code).toBe(2);
    expect((await probe("sometimes", env)).code).toBe(2);
  });
});
