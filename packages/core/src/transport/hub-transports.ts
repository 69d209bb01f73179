// H PortTransports answered by one in-memory RequestHub on the calling thread (no worker threads): the group wiring
// benches and tests use to run several hosts in one thread.

import { RequestHub } from "./in-process-hub.js";
import { PortTransport } from "./port-transport.js";

/** Core's in-memory hub behind H PortTransports, answered synchronously on this thread. */
export function hubTransports(numHosts: number): PortTransport[] {
  const transports: PortTransport[] = [];
  const hub = new RequestHub({
    frames: (host, id, frames) => transports[host]!.deliver({ t: "frames", req: 1, id, frames }),
    failed: (host, id, error) => transports[host]!.deliver({ t: "takeFailed", req: 1, id, error }),
  });
  for (let host = 0; host < numHosts; host++) {
    transports.push(
      new PortTransport(host, numHosts, 1, (m) => {
        if (m.t === "put") hub.put(m.host, m.tag, m.frame, m.readers);
        else if (m.t === "take") hub.take(m.host, m.id, m.tag, m.from);
        else hub.fail(m.error);
      }),
    );
  }
  return transports;
}
