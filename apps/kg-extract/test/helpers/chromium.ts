// Headless Debian chromium for the view tests. When no browser is on PATH it installs Debian's `chromium` the way
// scripts/with-redis.sh installs redis-server (apt-get, as root or through password-less sudo); when that is not
// possible it fails with a message that says what to do. It never skips.

import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

const NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const p = join(dir, name);
    if (dir !== "" && existsSync(p)) return p;
  }
  return undefined;
}

function find(): string | undefined {
  const given = process.env.CHROMIUM_BIN;
  if (given !== undefined && given !== "") return existsSync(given) ? given : undefined;
  for (const n of NAMES) {
    const p = onPath(n);
    if (p !== undefined) return p;
  }
  return undefined;
}

function canSudo(): boolean {
  try {
    execFileSync("sudo", ["-n", "true"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function aptGet(sudo: boolean, args: string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (sudo) execFileSync("sudo", ["-n", "apt-get", ...args], { stdio: "ignore", env, timeout: 540_000 });
  else execFileSync("apt-get", args, { stdio: "ignore", env, timeout: 540_000 });
}

/** As scripts/with-redis.sh: install; when the package lists are stale, update them and install again. */
function aptInstall(sudo: boolean): void {
  try {
    aptGet(sudo, ["install", "-y", "-qq", "chromium"]);
  } catch {
    aptGet(sudo, ["update", "-qq"]);
    aptGet(sudo, ["install", "-y", "-qq", "chromium"]);
  }
}

/**
 * The chromium binary, installed with apt-get when missing (needs root or password-less sudo).
 * @throws Error saying how to get a browser when none is found and none can be installed
 */
export function ensureChromium(): string {
  const found = find();
  if (found !== undefined) return found;
  if (process.env.CHROMIUM_BIN) throw new Error(`CHROMIUM_BIN=${process.env.CHROMIUM_BIN} does not exist`);
  const isRoot = process.getuid?.() === 0;
  if (!isRoot && !canSudo()) throw new Error("the view test needs headless chromium: none is on PATH and apt-get cannot run here (not root, no password-less sudo). Install Debian's `chromium` package or set CHROMIUM_BIN");
  process.stderr.write("kg-extract tests: installing Debian's chromium ...\n");
  try {
    aptInstall(!isRoot);
  } catch (err) {
    throw new Error(`installing chromium with apt-get failed (${(err as Error).message}); install Debian's \`chromium\` package or set CHROMIUM_BIN`);
  }
  const installed = find();
  if (installed === undefined) throw new Error("apt-get installed chromium but no chromium binary is on PATH; set CHROMIUM_BIN");
  return installed;
}

/** Flags for a root container without a desktop: no sandbox (root), no GPU, no /dev/shm limits. */
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars", "--virtual-time-budget=10000"];

function chromium(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, [...FLAGS, ...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`chromium failed: ${err.message}\n${stderr.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

/** The DOM after the page's scripts ran (`--dump-dom`). */
export function dumpDom(bin: string, url: string): Promise<string> {
  return chromium(bin, ["--dump-dom", url]);
}

/** A PNG screenshot of the page at the given window size. */
export async function screenshot(bin: string, url: string, out: string, size = "1200,800"): Promise<void> {
  await chromium(bin, [`--window-size=${size}`, `--screenshot=${out}`, url]);
}
