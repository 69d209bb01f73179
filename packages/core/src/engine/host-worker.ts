// Entry point of one host's worker thread: loads the model and backend, then runs requests in lock-step with
// the other hosts, exchanging frames through the main-thread hub.

import { parentPort } from "node:worker_threads";
import { ApbError, TransportError, toApbError } from "../errors/index.js";
import type { SerializedApbError } from "../errors/index.js";
import { OpProfiler } from "../backend/index.js";
import type { Backend } from "../backend/index.js";
import type { Tensor } from "../tensor/index.js";
import { PortTransport } from "../transport/index.js";
import type { HubRequest } from "../transport/index.js";
import { loadHost } from "./host-loader.js";
import type { LoadedHost } from "./host-loader.js";
import { HostEngine } from "./host-engine.js";
import { runHostRequest } from "./host-request.js";
import { KvExchange } from "./kv-exchange.js";
import type { FromHost, HostInit, RunRequest, ToHost } from "./messages.js";

const port = parentPort;
if (port === null) throw new ApbError("INTERNAL", "host-worker must run in a worker thread");

function post(m: FromHost, transfer?: ArrayBuffer[]): void {
  port!.postMessage(m, transfer ?? []);
}

let loaded: LoadedHost | undefined;
let engine: HostEngine<Tensor> | undefined;
let profiler: OpProfiler<Tensor> | undefined;
const active = new Map<number, { transport: PortTransport; abort: AbortController }>();

async function init(m: HostInit): Promise<void> {
  try {
    loaded = await loadHost(m);
    profiler = new OpProfiler(loaded.backend as Backend<Tensor>);
    engine = new HostEngine(profiler.backend, loaded.config, m.host, m.numHosts);
    post({ t: "ready", host: m.host });
  } catch (err) {
    post({ t: "initFailed", host: m.host, error: toApbError(err).toJSON() });
  }
}

async function run(m: RunRequest): Promise<void> {
  const host = engine!.host;
  const abort = new AbortController();
  const transport = new PortTransport(host, engine!.numHosts, m.req, (msg: HubRequest, tr?: ArrayBuffer[]) => post(msg, tr));
  active.set(m.req, { transport, abort });
  const c = loaded!.config;
  const exchange = new KvExchange(transport, { kvRowSize: c.numKvHeads * c.headDim, numHeads: c.numHeads, headDim: c.headDim }, { signal: abort.signal, timeoutMs: m.stepTimeoutMs });
  profiler!.reset(m.profile);
  try {
    const result = await runHostRequest({
      engine: engine!,
      plan: m.plan,
      exchange,
      sampling: m.sampling,
      maxPositions: c.maxPositions,
      signal: abort.signal,
      reusePrefill: m.reusePrefill,
      keepLogits: m.keepLogits,
      onToken: (token, index) => post({ t: "token", req: m.req, token, index }),
      hitsStopString: loaded!.stopStringMatcher(m.sampling.stopStrings),
    });
    const cache = m.dumpCache ? await engine!.dumpCache() : undefined;
    post({ t: "done", req: m.req, host, result, cache, profile: m.profile ? profiler!.profile : undefined });
  } catch (err) {
    const e: SerializedApbError = toApbError(abort.signal.aborted ? abort.signal.reason ?? err : err).toJSON();
    await transport.fail(e);
    post({ t: "failed", req: m.req, host, error: e });
  } finally {
    active.delete(m.req);
  }
}

port.on("message", (m: ToHost) => {
  switch (m.t) {
    case "init":
      void init(m);
      break;
    case "run":
      void run(m);
      break;
    case "abort":
      active.get(m.req)?.abort.abort(new TransportError("ABORTED", "the request was aborted"));
      break;
    case "frames":
    case "takeFailed":
      active.get(m.req)?.transport.deliver(m);
      break;
    case "close":
      void loaded?.backend.close().finally(() => port!.close());
      break;
  }
});
