// Shared set-up of the Redis tests: the server from REDIS_URL (fail under CI=true when it is missing, skip with a
// message otherwise), a fresh `test-<uuid>` key prefix per test, key scans, and extra servers (password, TLS).

import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApbError } from "@apb/core";
import type { ApbErrorCode } from "@apb/core";
import { Redis } from "ioredis";
import type { RedisOptions } from "ioredis";
import { describe, expect } from "vitest";

/** REDIS_URL, or undefined (tests skip) outside CI. */
export function redisUrl(): string | undefined {
  const url = process.env.REDIS_URL;
  if (url !== undefined && url !== "") return url;
  if (process.env.CI === "true") throw new Error("REDIS_URL is not set but CI=true: Redis tests must run; use `make test` (it starts a throwaway redis-server)");
  console.warn("REDIS_URL is not set, skipping the Redis tests (run `make test`, or start redis-server and set REDIS_URL)");
  return undefined;
}

export const REDIS_URL = redisUrl();
/** `describe`, or `describe.skip` with the message above when there is no server. */
export const describeRedis: ReturnType<typeof describe.skipIf> = describe.skipIf(REDIS_URL === undefined);

export function testPrefix(): string {
  return `test-${randomUUID()}`;
}

/** A plain ioredis client on REDIS_URL (for inspecting and corrupting keys). */
export function rawClient(): Redis {
  return new Redis(REDIS_URL!, { lazyConnect: true });
}

/** Every key matching `pattern`, by SCAN (never KEYS). */
export async function scanKeys(client: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== "0");
  return found;
}

/** Awaits `action`, which must fail with an ApbError of `code` (and a message matching `pattern`); returns it. */
export async function expectApbError(action: Promise<unknown>, code: ApbErrorCode, pattern?: RegExp): Promise<ApbError> {
  const caught = await action.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(caught, "expected an ApbError").toBeInstanceOf(ApbError);
  const e = caught as ApbError;
  expect(e.code, e.message).toBe(code);
  if (pattern !== undefined) expect(e.message).toMatch(pattern);
  return e;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server: stop() kills it and removes its folder. */
export interface TestServer {
  readonly port: number;
  readonly dir: string;
  stop(): Promise<void>;
}

/** Starts redis-server with `args` (port, bind and no persistence are added) and waits until `probe` can connect. */
async function startServer(args: (dir: string, port: number) => string[], probe: RedisOptions, port?: number): Promise<TestServer> {
  port ??= await freePort();
  const dir = await mkdtemp(join(tmpdir(), "apb-redis-test-"));
  const base = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--loglevel", "warning"];
  const proc = spawn("redis-server", [...base, ...args(dir, port)], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const client = new Redis({ ...probe, port, lazyConnect: true, retryStrategy: () => null });
  client.on("error", () => undefined);
  for (let i = 0; ; i++) {
    try {
      await client.connect();
      break;
    } catch (err) {
      if (i >= 100) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  client.disconnect();
  return {
    port,
    dir,
    async stop() {
      proc.kill("SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** redis-server with `--requirepass` on a free port (or `port`). */
export function startPasswordRedis(password: string, port?: number): Promise<TestServer> {
  return startServer((_, p) => ["--port", String(p), "--requirepass", password], { host: "127.0.0.1", password }, port);
}

/** redis-server speaking only TLS, with a fresh self-signed certificate for localhost; returns it as `ca`. */
export async function startTlsRedis(): Promise<TestServer & { ca: string }> {
  const certDir = await mkdtemp(join(tmpdir(), "apb-redis-cert-"));
  const [cert, key] = [join(certDir, "cert.pem"), join(certDir, "key.pem")];
  const subject = ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"];
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", ...subject], { stdio: "ignore" });
  const ca = await readFile(cert, "utf8");
  const tlsArgs = ["--tls-cert-file", cert, "--tls-key-file", key, "--tls-ca-cert-file", cert, "--tls-auth-clients", "no"];
  const server = await startServer((_, p) => ["--port", "0", "--tls-port", String(p), ...tlsArgs], { host: "localhost", tls: { ca } });
  return {
    ...server,
    ca,
    async stop() {
      await server.stop();
      await rm(certDir, { recursive: true, force: true });
    },
  };
}
