// A context session seen from a client: its id and group; questions and close are jobs on that group's queue.

import type { JobResult } from "../payloads/index.js";
import type { AskRequest } from "./client-types.js";
import type { CallOptions } from "./job-waiter.js";

/** How a session reaches its group (kept out of the public surface). */
export interface SessionPort {
  ask(id: string, group: string, req: AskRequest, o: CallOptions): Promise<JobResult>;
  close(id: string, group: string, o: CallOptions): Promise<void>;
}

/** A prefilled context on one group. Any number of clients may ask at once; the group serves them in order. */
export class ClientSession {
  constructor(
    private readonly port: SessionPort,
    readonly id: string,
    readonly group: string,
    readonly numContextTokens: number,
  ) {}

  /**
   * Answers a question against the resident context.
   * @throws SessionError SESSION_NOT_FOUND / SESSION_EXPIRED; InputError for a bad question; TransportError ABORTED.
   */
  ask(req: AskRequest, o: CallOptions = {}): Promise<JobResult> {
    return this.port.ask(this.id, this.group, req, o);
  }

  /** Drops the context on every host of the group. @throws SessionError SESSION_NOT_FOUND when it is already gone. */
  close(o: CallOptions = {}): Promise<void> {
    return this.port.close(this.id, this.group, o);
  }
}
