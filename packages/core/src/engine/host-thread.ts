// One host's worker thread (host-worker.ts): started with its model and backend, then driven by messages. The
// in-process group runs H of them; a worker process of a distributed group runs one.

import { Worker } from "node:worker_threads";
import { ApbError, deserializeError } from "../errors/index.js";
import type { BackendInfo, FromHost, HostInit, ToHost } from "./messages.js";

function workerUrl(): URL {
  const here = new URL("./host-worker.js", import.meta.url);
  // Running from source (vitest): use the built worker, since worker threads cannot load TypeScript.
  if (import.meta.url.endsWith(".ts")) return new URL(here.href.replace("/src/engine/", "/dist/engine/"));
  return here;
}

/** A started host thread. Listen with onMessage / onExit; stop with terminate. */
export class HostThread {
  private constructor(
    private readonly worker: Worker,
    readonly host: number,
    /** The backend this host loaded (and why "auto" fell back, when it did). */
    readonly backend: BackendInfo,
  ) {}

  /**
   * Starts the thread and loads the host (model, backend).
   * @throws the host's typed load error (ModelError, BackendError), after stopping the thread.
   */
  static async start(init: HostInit): Promise<HostThread> {
    const worker = new Worker(workerUrl(), { execArgv: [] });
    let onMsg: ((m: FromHost) => void) | undefined;
    let onError: ((err: Error) => void) | undefined;
    let onExit: ((code: number) => void) | undefined;
    let backend: BackendInfo = { name: "?" };
    try {
      await new Promise<void>((resolve, reject) => {
        onMsg = (m: FromHost): void => {
          if (m.t === "ready") {
            backend = m.backend;
            resolve();
          }
          else if (m.t === "initFailed") reject(deserializeError(m.error));
        };
        onError = reject;
        onExit = (code) => reject(new ApbError("HOST_FAILED", `host ${init.host} exited with code ${code} while loading`));
        worker.on("message", onMsg).on("error", onError).on("exit", onExit);
        worker.postMessage({ t: "init", ...init } satisfies ToHost);
      });
    } catch (err) {
      await worker.terminate();
      throw err instanceof ApbError ? err : new ApbError("INTERNAL", String(err), { cause: err });
    } finally {
      // Remove only our own listeners: the Worker's internal ones (which start its message port) must stay.
      worker.off("message", onMsg!).off("error", onError!).off("exit", onExit!);
    }
    return new HostThread(worker, init.host, backend);
  }

  post(m: ToHost, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  onMessage(listener: (m: FromHost) => void): void {
    this.worker.on("message", listener);
  }

  /** Called once if the thread crashes or exits. */
  onExit(listener: (err: Error) => void): void {
    this.worker.once("error", listener);
    this.worker.once("exit", (code) => listener(new Error(`worker exited with code ${code}`)));
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}
