#!/usr/bin/env node
// Builds build/apb_cuda.node from native/**/*.{cu,cc,cpp} with nvcc (sm_90 + PTX, static cudart, Node-API C headers),
// incrementally (nvcc -MD dependency files). Without nvcc it prints "skipped: nvcc not found" and exits 0.
// Usage: node scripts/build-native.mjs [--check] [--clean] [--benches]
//   --benches also links each native/kernels/<op>/<op>.bench.cu into build/bench/<op>.bench (run on the GPU machine)
//   env: CUDACXX, CUDA_PATH, NODE_INCLUDE, APB_CUDA_ARCHS (default 90), APB_BUILD_JOBS (default 2)
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PKG = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const NATIVE = join(PKG, "native");
const BUILD = join(PKG, "build");
const OBJ = join(BUILD, "obj");
const OUTPUT = join(BUILD, "apb_cuda.node");
const SOURCE_EXT = /\.(cu|cc|cpp)$/;
// Libraries the addon may need at run time (checked with ldd): libc-level only, no libcudart.so, no cuBLAS.
const ALLOWED_LIBS = /^(linux-vdso|libstdc\+\+|libm|libgcc_s|libc|libdl|libpthread|librt|ld-linux)/;

/** The first nvcc among $CUDACXX, $CUDA_PATH/bin, PATH and /usr/local/cuda/bin, or undefined. */
export function findNvcc(env = process.env) {
  const candidates = [];
  if (env.CUDACXX) candidates.push(env.CUDACXX);
  if (env.CUDA_PATH) candidates.push(join(env.CUDA_PATH, "bin", "nvcc"));
  for (const dir of (env.PATH ?? "").split(delimiter)) if (dir) candidates.push(join(dir, "nvcc"));
  candidates.push("/usr/local/cuda/bin/nvcc");
  return candidates.find((p) => existsSync(p) && statSync(p).isFile());
}

/** A folder holding node_api.h: $NODE_INCLUDE, then beside this node, then the system's. */
export function findNodeInclude(env = process.env) {
  const candidates = [env.NODE_INCLUDE, join(dirname(process.execPath), "..", "include", "node"), "/usr/include/node", "/usr/local/include/node"];
  return candidates.find((d) => d && existsSync(join(d, "node_api.h")) && existsSync(join(d, "js_native_api.h")));
}

function listSources(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== "lab") out.push(...listSources(p)); // native/lab holds experiments, never linked (STYLE.md G5)
    } else if (SOURCE_EXT.test(name) && !name.endsWith(".bench.cu")) {
      out.push(p);
    }
  }
  return out;
}

function archFlags(env) {
  const archs = (env.APB_CUDA_ARCHS ?? "90").split(/[;,\s]+/).filter(Boolean);
  const last = archs[archs.length - 1];
  return archs.map((a) => `-gencode=arch=compute_${a},code=${a === last ? `[sm_${a},compute_${a}]` : `sm_${a}`}`);
}

function compileFlags(nodeInclude, env) {
  return ["-O3", "-std=c++17", ...archFlags(env), "-Xcompiler", "-fPIC", "-Xcompiler", "-Wall", "-DNAPI_VERSION=8", `-I${nodeInclude}`];
}

function objectFor(src) {
  return join(OBJ, relative(NATIVE, src).replaceAll("/", "__") + ".o");
}

function mtime(p) {
  return existsSync(p) ? statSync(p).mtimeMs : -1;
}

/** Dependencies nvcc recorded for an object (-MD), or undefined when unknown. */
function depsOf(obj) {
  const d = obj.replace(/\.o$/, ".d");
  if (!existsSync(d)) return undefined;
  const text = readFileSync(d, "utf8").replace(/\\\n/g, " ");
  const colon = text.indexOf(":");
  return text
    .slice(colon + 1)
    .split(/\s+/)
    .filter(Boolean);
}

function isStale(src, obj) {
  const t = mtime(obj);
  if (t < 0) return true;
  const deps = depsOf(obj);
  if (deps === undefined) return true;
  return [src, ...deps].some((p) => mtime(p) > t);
}

function run(cmd, args) {
  return new Promise((resolveRun) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (out += b));
    child.on("error", (err) => resolveRun({ code: 1, out: String(err) }));
    child.on("close", (code) => resolveRun({ code: code ?? 1, out }));
  });
}

async function compileAll(nvcc, jobs, flags) {
  const queue = [...jobs];
  const failures = [];
  const width = Math.max(1, Number.parseInt(process.env.APB_BUILD_JOBS ?? "2", 10) || 2);
  async function worker() {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      const dep = job.obj.replace(/\.o$/, ".d");
      const r = await run(nvcc, ["-c", ...flags, "-MD", "-MF", dep, job.src, "-o", job.obj]);
      const name = relative(PKG, job.src);
      if (r.code !== 0) {
        rmSync(job.obj, { force: true });
        failures.push(`${name}\n${r.out}`);
        console.error(`FAILED ${name}\n${r.out}`);
      } else {
        console.log(`compiled ${name}${r.out.trim() ? `\n${r.out.trim()}` : ""}`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return failures;
}

function linkedLibraries(file) {
  const r = spawnSync("ldd", [file], { encoding: "utf8" });
  if (r.status !== 0) return undefined;
  return r.stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[0])
    .filter(Boolean)
    .map((l) => l.replace(/^.*\//, ""));
}

async function build(nvcc, nodeInclude) {
  mkdirSync(OBJ, { recursive: true });
  const flags = compileFlags(nodeInclude, process.env);
  const flagsFile = join(OBJ, "flags.sha");
  const flagsHash = createHash("sha256").update(JSON.stringify([nvcc, flags])).digest("hex");
  const flagsChanged = !existsSync(flagsFile) || readFileSync(flagsFile, "utf8") !== flagsHash;
  const sources = listSources(NATIVE);
  const jobs = sources.map((src) => ({ src, obj: objectFor(src) })).filter((j) => flagsChanged || isStale(j.src, j.obj));
  const failures = await compileAll(nvcc, jobs, flags);
  if (failures.length > 0) return { ok: false, sources, compiled: jobs.length, failures: failures.length };
  writeFileSync(flagsFile, flagsHash);
  const objects = sources.map(objectFor);
  const linkNeeded = !existsSync(OUTPUT) || objects.some((o) => mtime(o) > mtime(OUTPUT));
  if (linkNeeded) {
    const r = await run(nvcc, ["-shared", "-cudart", "static", "-o", OUTPUT, ...objects, "-ldl", "-lpthread", "-lrt"]);
    if (r.code !== 0) {
      console.error(`FAILED link\n${r.out}`);
      return { ok: false, sources, compiled: jobs.length, failures: 1 };
    }
    console.log(`linked ${relative(PKG, OUTPUT)}`);
  }
  return { ok: true, sources, compiled: jobs.length, linked: linkNeeded };
}

/** Links every <op>.bench.cu with its op folder's objects and the shared common/ and runtime/ objects. */
async function buildBenches(nvcc, nodeInclude) {
  const flags = compileFlags(nodeInclude, process.env);
  const benches = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".bench.cu")) benches.push(p);
    }
  };
  walk(join(NATIVE, "kernels"));
  const shared = listSources(NATIVE).filter((s) => /\/native\/(common|runtime)\//.test(s));
  const failures = await compileAll(nvcc, benches.map((src) => ({ src, obj: objectFor(src) })).filter((j) => isStale(j.src, j.obj)), flags);
  if (failures.length > 0) return false;
  mkdirSync(join(BUILD, "bench"), { recursive: true });
  for (const bench of benches) {
    const own = listSources(dirname(bench));
    const out = join(BUILD, "bench", bench.replace(/^.*\//, "").replace(/\.cu$/, ""));
    const r = await run(nvcc, [...archFlags(process.env), "-cudart", "static", "-o", out, objectFor(bench), ...[...own, ...shared].map(objectFor), "-ldl", "-lpthread", "-lrt"]);
    if (r.code !== 0) {
      console.error(`FAILED link ${relative(PKG, out)}\n${r.out}`);
      return false;
    }
    console.log(`linked ${relative(PKG, out)}`);
  }
  return true;
}

/** After a build: every source has a fresh object, the addon is newer than every object, ldd shows libc-level deps. */
function check(result) {
  const problems = [];
  for (const src of result.sources) if (isStale(src, objectFor(src))) problems.push(`stale object for ${relative(PKG, src)}`);
  const newest = Math.max(...result.sources.map((s) => mtime(objectFor(s))));
  if (mtime(OUTPUT) < newest) problems.push("apb_cuda.node is older than its objects");
  const libs = linkedLibraries(OUTPUT);
  const bad = (libs ?? []).filter((l) => !ALLOWED_LIBS.test(l));
  if (libs === undefined) problems.push("ldd failed on apb_cuda.node");
  if (bad.length > 0) problems.push(`unexpected run-time libraries: ${bad.join(", ")}`);
  const summary = {
    ok: problems.length === 0,
    sources: result.sources.map((s) => relative(PKG, s)),
    cuSources: result.sources.filter((s) => s.endsWith(".cu")).length,
    libraries: libs ?? [],
    output: relative(PKG, OUTPUT),
    problems,
  };
  console.log(`check: ${JSON.stringify(summary)}`);
  return summary.ok;
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes("--clean")) rmSync(BUILD, { recursive: true, force: true });
  const nvcc = findNvcc();
  if (nvcc === undefined) {
    console.log("skipped: nvcc not found");
    if (argv.includes("--check")) console.log(`check: ${JSON.stringify({ ok: true, skipped: "nvcc not found" })}`);
    return 0;
  }
  const nodeInclude = findNodeInclude();
  if (nodeInclude === undefined) {
    console.log("skipped: Node-API headers (node_api.h) not found; set NODE_INCLUDE");
    if (argv.includes("--check")) console.log(`check: ${JSON.stringify({ ok: false, skipped: "node headers not found" })}`);
    return argv.includes("--check") ? 1 : 0;
  }
  console.log(`nvcc ${nvcc}; Node-API headers ${nodeInclude}; archs ${process.env.APB_CUDA_ARCHS ?? "90"}`);
  const result = await build(nvcc, nodeInclude);
  if (!result.ok) {
    console.error(`build failed: ${result.failures} failure(s)`);
    return 1;
  }
  console.log(`build: ${result.compiled} of ${result.sources.length} sources compiled${result.linked ? ", linked" : ", up to date"}`);
  if (argv.includes("--benches") && !(await buildBenches(nvcc, nodeInclude))) return 1;
  if (argv.includes("--check")) return check(result) ? 0 : 1;
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
