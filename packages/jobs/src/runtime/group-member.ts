// A host > 0 of a group: follows the leader's announcement stream (XREAD BLOCK), runs each announced request on its
// host thread in lock-step with the others, reports done/failed on the request's status stream, and aborts its
// running requests when the leader's heartbeat vanishes.

import { toApbError } from "@apb/core";
import { cleanupRequest } from "@apb/transport-redis";
import { GroupWatch, decodePlan } from "../group/index.js";
import type { Announcement, HostOutcome, HostReport, Instances } from "../group/index.js";
import type { WorkerServices } from "./worker-services.js";

const READ_BLOCK_MS = 1000;

export class GroupMember {
  private stopped = false;
  private readonly running = new Map<string, Promise<void>>();
  /** Sessions this host prefilled (dropped on resetSessions). */
  private readonly sessions = new Set<string>();
  private readonly loop: Promise<void>;
  private leaderInstance: string | undefined;
  /** Requests whose leader vanished: nobody else will delete their keys. */
  private readonly orphaned = new Set<string>();

  private constructor(
    private readonly s: WorkerServices,
    private readonly leader: GroupWatch,
    cursor: string,
  ) {
    this.leaderInstance = leader.instances[0];
    leader.on("change", (now) => this.onLeader(now));
    this.loop = this.follow(cursor);
  }

  /**
   * Notes where the announcement stream is now, claims this host's heartbeat, then follows announcements from that
   * point: the leader announces only while every member's heartbeat is present, so none is missed.
   */
  static async start(s: WorkerServices): Promise<GroupMember> {
    const cursor = await s.streams.latestAnnouncement();
    await s.heartbeat.acquire(s.options.heartbeatTtlMs * 3);
    s.heartbeat.start();
    const leader = new GroupWatch(s.redis, s.keys, { group: s.options.group, hosts: [0] });
    await leader.start();
    return new GroupMember(s, leader, cursor);
  }

  /** A leader that vanished or restarted will not collect this host's running requests: stop them. */
  private onLeader(now: Instances): void {
    const inst = now[0];
    if (inst !== undefined && this.leaderInstance === undefined) this.leaderInstance = inst;
    if (inst === this.leaderInstance) return;
    this.leaderInstance = inst;
    if (this.running.size > 0) this.s.log(`the leader ${inst === undefined ? "vanished" : "restarted"}: stopping request(s) ${[...this.running.keys()].join(", ")}`);
    for (const key of this.running.keys()) {
      this.orphaned.add(key);
      this.s.runner.abort(key);
    }
  }

  /** Deletes an orphaned request's transport keys and status stream (every member may; deleting twice is harmless). */
  private async cleanupOrphan(requestKey: string): Promise<void> {
    const o = this.s.options;
    this.orphaned.delete(requestKey);
    await cleanupRequest({ url: o.redis, keyPrefix: o.prefix, group: o.group }, requestKey).catch(() => undefined);
    await this.s.streams.deleteStatus(requestKey).catch(() => undefined);
    this.s.log(`request ${requestKey} lost its leader: its keys were deleted`);
  }

  private async follow(cursor: string): Promise<void> {
    while (!this.stopped) {
      let reads;
      try {
        reads = await this.s.streams.readAnnouncements(cursor, READ_BLOCK_MS);
      } catch (err) {
        if (this.stopped) return;
        this.s.log(`reading announcements failed (retrying): ${toApbError(err).message}`);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      for (const r of reads) {
        cursor = r.id;
        if ("error" in r) this.s.log(`skipped an announcement: ${r.error.message}`);
        else this.handle(r.message);
      }
    }
  }

  private handle(m: Announcement): void {
    const runner = this.s.runner;
    switch (m.kind) {
      case "run":
        if (!this.running.has(m.requestKey)) this.run(m);
        break;
      case "abort":
        runner.abort(m.requestKey);
        break;
      case "closeSession":
        this.sessions.delete(m.session);
        runner.closeSession(m.session);
        break;
      case "resetSessions":
        for (const id of this.sessions) runner.closeSession(id);
        this.sessions.clear();
        break;
    }
  }

  private run(m: Extract<Announcement, { kind: "run" }>): void {
    const s = this.s;
    if (m.mode.kind === "prefill") this.sessions.add(m.mode.session);
    const spec = { requestKey: m.requestKey, plan: decodePlan(m.plan), sampling: m.sampling, mode: m.mode, stepTimeoutMs: m.stepTimeoutMs };
    const done = s.runner.run(spec).then(async (o: HostOutcome) => {
      if (o.kind === "failed" && m.mode.kind === "prefill") this.sessions.delete(m.mode.session);
      const host = s.options.host;
      const instance = s.heartbeat.instance;
      const report: HostReport = o.kind === "done" ? { v: 1, kind: "done", host, instance, result: o.result } : { v: 1, kind: "failed", host, instance, error: o.error };
      await s.streams.report(m.requestKey, report).catch((err: unknown) => s.log(`reporting ${m.requestKey} failed: ${toApbError(err).message}`));
      if (this.orphaned.has(m.requestKey)) await this.cleanupOrphan(m.requestKey);
    });
    this.running.set(m.requestKey, done);
    void done.finally(() => this.running.delete(m.requestKey));
  }

  /** Stops following; a running request may finish within drainMs, then it is aborted. */
  async close(): Promise<void> {
    this.stopped = true;
    this.leader.stop();
    const pending = Promise.all(this.running.values());
    const timer = setTimeout(() => {
      for (const key of this.running.keys()) this.s.runner.abort(key);
    }, this.s.options.drainMs);
    await pending;
    clearTimeout(timer);
    await this.loop;
  }
}
