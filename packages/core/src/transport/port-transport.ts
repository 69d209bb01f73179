// The worker-thread side of the in-process transport: puts and takes become messages to the main-thread hub.

import { TransportError, deserializeError } from "../errors/index.js";
import type { SerializedApbError } from "../errors/index.js";
import type { TakeOptions, Transport } from "./transport.js";

/** Messages a host sends to the hub. */
export type HubRequest =
  | { readonly t: "put"; readonly req: number; readonly host: number; readonly tag: string; readonly frame: Uint8Array; readonly readers: number }
  | { readonly t: "take"; readonly req: number; readonly host: number; readonly id: number; readonly tag: string; readonly from: readonly number[] }
  | { readonly t: "fail"; readonly req: number; readonly host: number; readonly error: SerializedApbError };

/** Hub answers to a take. */
export type HubReply =
  | { readonly t: "frames"; readonly req: number; readonly id: number; readonly frames: Uint8Array[] }
  | { readonly t: "takeFailed"; readonly req: number; readonly id: number; readonly error: SerializedApbError };

interface Pending {
  resolve(frames: Uint8Array[]): void;
  reject(err: unknown): void;
}

/** A Transport for one request, over a message function to the hub. */
export class PortTransport implements Transport {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedWith: TransportError | undefined;

  constructor(
    readonly host: number,
    readonly numHosts: number,
    private readonly req: number,
    private readonly post: (m: HubRequest, transfer?: ArrayBuffer[]) => void,
  ) {}

  async put(tag: string, frame: Uint8Array, numReaders: number): Promise<void> {
    if (this.closedWith !== undefined) throw this.closedWith;
    const owned = frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength ? frame : frame.slice();
    this.post({ t: "put", req: this.req, host: this.host, tag, frame: owned, readers: numReaders }, [owned.buffer as ArrayBuffer]);
  }

  take(tag: string, from: readonly number[], opts: TakeOptions): Promise<Uint8Array[]> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    if (from.length === 0) return Promise.resolve([]);
    opts.signal?.throwIfAborted();
    const id = this.nextId++;
    return new Promise<Uint8Array[]>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        this.pending.delete(id);
      };
      const onAbort = (): void => {
        cleanup();
        reject(new TransportError("ABORTED", `host ${this.host}: request aborted while waiting for ${tag}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new TransportError("TRANSPORT_TIMEOUT", `host ${this.host}: no frames for ${tag} from hosts [${from.join(", ")}] within ${opts.timeoutMs} ms`));
      }, opts.timeoutMs);
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, {
        resolve: (f) => (cleanup(), resolve(f)),
        reject: (e) => (cleanup(), reject(e)),
      });
      this.post({ t: "take", req: this.req, host: this.host, id, tag, from });
    });
  }

  async fail(error: SerializedApbError): Promise<void> {
    this.post({ t: "fail", req: this.req, host: this.host, error });
  }

  /** Routes a hub reply to its pending take. */
  deliver(m: HubReply): void {
    const p = this.pending.get(m.id);
    if (p === undefined) return;
    if (m.t === "frames") p.resolve(m.frames);
    else p.reject(deserializeError(m.error));
  }

  /** Rejects every pending take; later calls fail at once. */
  close(reason: TransportError): void {
    this.closedWith = reason;
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
  }
}
