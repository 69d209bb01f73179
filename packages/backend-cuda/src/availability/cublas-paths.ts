// Where cuBLASLt and cuDNN may live (both dlopen'ed, never linked): APB_CUBLAS_PATH / APB_CUDNN_PATH, the loader's
// own search by soname, CUDA toolkit folders, and pip wheel folders (.../site-packages/nvidia/{cublas,cudnn}/lib, as
// PyTorch ships them).

import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** cuDNN 9's soname (the backend graph API the attention route uses is cuDNN 9's). */
export const CUDNN_SONAMES = ["libcudnn.so.9"] as const;

/** Sonames tried, newest first. */
export const CUBLASLT_SONAMES = ["libcublasLt.so.13", "libcublasLt.so.12"] as const;

/** The file-system calls the search uses (injectable for tests). */
export interface PathProbe {
  exists(path: string): boolean;
  list(dir: string): readonly string[];
}

const realProbe: PathProbe = {
  exists: (p) => existsSync(p),
  list: (d) => {
    try {
      return readdirSync(d);
    } catch {
      return [];
    }
  },
};

/** Python library roots under `base` (python3, python3.12, ...), each with site-packages and dist-packages. */
function pythonSiteDirs(base: string, probe: PathProbe): string[] {
  return probe
    .list(base)
    .filter((n) => /^python3(\.\d+)?$/.test(n))
    .flatMap((n) => [join(base, n, "site-packages"), join(base, n, "dist-packages")]);
}

/** Every site-packages folder worth a look: PYTHONPATH, the active venv, the user's, the system's, /opt/<x>/.venv. */
export function sitePackageDirs(env: NodeJS.ProcessEnv, probe: PathProbe = realProbe): string[] {
  const dirs: string[] = [];
  for (const p of (env.PYTHONPATH ?? "").split(":")) if (p !== "") dirs.push(p);
  if (env.VIRTUAL_ENV) dirs.push(...pythonSiteDirs(join(env.VIRTUAL_ENV, "lib"), probe));
  const home = env.HOME ?? homedir();
  dirs.push(...pythonSiteDirs(join(home, ".local", "lib"), probe));
  for (const base of ["/usr/lib", "/usr/local/lib", "/opt/conda/lib"]) dirs.push(...pythonSiteDirs(base, probe));
  for (const opt of probe.list("/opt")) dirs.push(...pythonSiteDirs(join("/opt", opt, ".venv", "lib"), probe), ...pythonSiteDirs(join("/opt", opt, "lib"), probe));
  return [...new Set(dirs)];
}

/** Folders that may hold cuBLASLt: $CUDA_PATH, the toolkit's usual places, pip wheel folders. */
function libraryDirs(env: NodeJS.ProcessEnv, probe: PathProbe): string[] {
  const dirs: string[] = [];
  if (env.CUDA_PATH) dirs.push(join(env.CUDA_PATH, "lib64"), join(env.CUDA_PATH, "lib"));
  dirs.push("/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/lib/x86_64-linux-gnu");
  for (const site of sitePackageDirs(env, probe)) dirs.push(join(site, "nvidia", "cublas", "lib"), join(site, "nvidia", "cu13", "lib"));
  return dirs;
}

/**
 * Candidates for dlopen, in order. APB_CUBLAS_PATH may name a library file or a folder (several joined with ":");
 * bare sonames let the dynamic loader search LD_LIBRARY_PATH and its cache; folder candidates are kept only when
 * the file exists there.
 */
export function cublasLtCandidates(env: NodeJS.ProcessEnv, probe: PathProbe = realProbe): string[] {
  const out: string[] = [];
  for (const entry of (env.APB_CUBLAS_PATH ?? "").split(":")) {
    if (entry === "") continue;
    if (/\.so(\.\d+)*$/.test(entry)) out.push(entry);
    else for (const name of CUBLASLT_SONAMES) out.push(join(entry, name));
  }
  out.push(...CUBLASLT_SONAMES);
  for (const dir of libraryDirs(env, probe)) {
    for (const name of CUBLASLT_SONAMES) {
      const p = join(dir, name);
      if (probe.exists(p)) out.push(p);
    }
  }
  return [...new Set(out)];
}

/**
 * cuDNN candidates, in order: APB_CUDNN_PATH (files or folders, ":"-separated), the soname (LD_LIBRARY_PATH and the
 * loader cache), CUDA toolkit folders, and pip wheel folders .../site-packages/nvidia/cudnn/lib (PyTorch's).
 */
export function cudnnCandidates(env: NodeJS.ProcessEnv, probe: PathProbe = realProbe): string[] {
  const out: string[] = [];
  for (const entry of (env.APB_CUDNN_PATH ?? "").split(":")) {
    if (entry === "") continue;
    if (/\.so(\.\d+)*$/.test(entry)) out.push(entry);
    else for (const name of CUDNN_SONAMES) out.push(join(entry, name));
  }
  out.push(...CUDNN_SONAMES);
  const dirs: string[] = [];
  if (env.CUDA_PATH) dirs.push(join(env.CUDA_PATH, "lib64"), join(env.CUDA_PATH, "lib"));
  dirs.push("/usr/local/cuda/lib64", "/usr/lib/x86_64-linux-gnu");
  for (const site of sitePackageDirs(env, probe)) dirs.push(join(site, "nvidia", "cudnn", "lib"));
  for (const dir of dirs) {
    for (const name of CUDNN_SONAMES) {
      const p = join(dir, name);
      if (probe.exists(p)) out.push(p);
    }
  }
  return [...new Set(out)];
}
