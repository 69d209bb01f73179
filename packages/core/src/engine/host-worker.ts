// Entry point of one host's worker thread: loads the model and backend, then runs requests in lock-step with
// the other hosts, exchanging frames through the main-thread hub.

import { parentPort } from "node:worker_threads";
import { ApbError, SessionError, TransportError, toApbError } from "../errors/index.js";
import type { SerializedApbError } from "../errors/index.js";
import { OpProfiler } from "../backend/index.js";
import type { Backend } from "../backend/index.js";
import type { Tensor } from "../tensor/index.js";
import { PortTransport } from "../transport/index.js";
import type { HubRequest, Transport, TransportFactory } from "../transport/index.js";
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
/** Open context sessions: each keeps its own cache on this host. */
const sessions = new Map<string, HostEngine<Tensor>>();
let profiler: OpProfiler<Tensor> | undefined;
const active = new Map<number, { hub: PortTransport | undefined; abort: AbortController }>();

async function init(m: HostInit): Promise<void> {
  try {
    loaded = await loadHost(m);
    profiler = new OpProfiler(loaded.backend as Backend<Tensor>);
    engine = new HostEngine(profiler.backend, loaded.config, m.host, m.numHosts);
    post({ t: "ready", host: m.host, backend: loaded.backendInfo });
  } catch (err) {
    post({ t: "initFailed", host: m.host, error: toApbError(err).toJSON() });
  }
}

/** The engine (cache) a request runs on. @throws SessionError when an ask names no open session. */
function engineFor(m: RunRequest): HostEngine<Tensor> {
  if (m.mode.kind === "generate") return engine!;
  if (m.mode.kind === "prefill") {
    const e = new HostEngine(profiler!.backend, loaded!.config, engine!.host, engine!.numHosts);
    sessions.get(m.mode.session)?.reset();
    sessions.set(m.mode.session, e);
    return e;
  }
  const e = sessions.get(m.mode.session);
  if (e === undefined) throw new SessionError("SESSION_NOT_FOUND", `no open session ${m.mode.session} on host ${engine!.host}`);
  return e;
}

/** The request's transport: the hub's port, or one made by a transport module (loaded once, then cached). */
async function transportFor(m: RunRequest): Promise<{ transport: Transport; hub: PortTransport | undefined; close(): Promise<void> }> {
  const host = engine!.host;
  if (m.transport.kind === "hub") {
    const hub = new PortTransport(host, engine!.numHosts, m.req, (msg: HubRequest, tr?: ArrayBuffer[]) => post(msg, tr));
    return { transport: hub, hub, close: async () => undefined };
  }
  const factory = await transportFactory(m.transport.module);
  const t = await factory({ requestKey: m.transport.requestKey, host, numHosts: engine!.numHosts, options: m.transport.options });
  return { transport: t, hub: undefined, close: () => t.close() };
}

const factories = new Map<string, Promise<TransportFactory>>();
function transportFactory(specifier: string): Promise<TransportFactory> {
  let f = factories.get(specifier);
  if (f === undefined) {
    f = import(specifier).then((mod: { createTransport?: unknown }) => {
      if (typeof mod.createTransport !== "function") throw new TransportError("TRANSPORT_CLOSED", `transport module ${specifier} does not export createTransport`);
      return mod.createTransport as TransportFactory;
    });
    factories.set(specifier, f);
  }
  return f;
}

async function run(m: RunRequest): Promise<void> {
  const host = engine!.host;
  const abort = new AbortController();
  active.set(m.req, { hub: undefined, abort });
  let ex: Awaited<ReturnType<typeof transportFor>>;
  try {
    ex = await transportFor(m);
  } catch (err) {
    active.delete(m.req);
    post({ t: "failed", req: m.req, host, error: toApbError(err).toJSON() });
    return;
  }
  active.set(m.req, { hub: ex.hub, abort });
  try {
    await runWith(m, ex.transport, abort);
  } finally {
    active.delete(m.req);
    await ex.close().catch(() => undefined);
  }
}

/** Runs the request on its engine; reports done, or fails the request on every host and reports failed. */
async function runWith(m: RunRequest, transport: Transport, abort: AbortController): Promise<void> {
  const host = engine!.host;
  const c = loaded!.config;
  const exchange = new KvExchange(transport, { kvRowSize: c.numKvHeads * c.headDim, numHeads: c.numHeads, headDim: c.headDim }, { signal: abort.signal, timeoutMs: m.stepTimeoutMs });
  profiler!.reset(m.profile);
  try {
    const target = engineFor(m);
    const result = await runHostRequest({
      engine: target,
      plan: m.plan,
      exchange,
      sampling: m.sampling,
      maxPositions: c.maxPositions,
      signal: abort.signal,
      phase: m.mode.kind,
      keepLogits: m.keepLogits,
      onToken: (token, index) => post({ t: "token", req: m.req, host, token, index }),
      onProgress: (p) => post({ t: "progress", req: m.req, host, ...p }),
      hitsStopString: loaded!.stopStringMatcher(m.sampling.stopStrings),
    });
    const cache = m.dumpCache ? await target.dumpCache() : undefined;
    post({ t: "done", req: m.req, host, result, cache, profile: m.profile ? profiler!.profile : undefined });
  } catch (err) {
    if (m.mode.kind === "prefill") dropSession(m.mode.session);
    const e: SerializedApbError = toApbError(abort.signal.aborted ? (abort.signal.reason ?? err) : err).toJSON();
    await transport.fail(e).catch(() => undefined);
    post({ t: "failed", req: m.req, host, error: e });
  }
}

function dropSession(id: string): void {
  sessions.get(id)?.reset();
  sessions.delete(id);
}

port.on("message", (m: ToHost) => {
  switch (m.t) {
    case "init":
      void init(m);
      break;
    case "run":
      void run(m);
      break;
    case "closeSession":
      dropSession(m.session);
      break;
    case "abort":
      active.get(m.req)?.abort.abort(new TransportError("ABORTED", "the request was aborted"));
      break;
    case "frames":
    case "takeFailed":
      active.get(m.req)?.hub?.deliver(m);
      break;
    case "close":
      void loaded?.backend.close().finally(() => port!.close());
      break;
  }
});
