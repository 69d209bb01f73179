// `apb submit --follow`'s progress on stderr: one bar per phase of a job (prefill layers, decoded tokens), or one
// bar over a corpus's documents.

import type { JobProgress } from "@apb/jobs";
import { ProgressBar } from "../output/index.js";
import type { TextSink } from "../output/index.js";

const LABELS: Record<JobProgress["phase"], string> = { queued: "queued", prefill: "prefill", query: "query", decode: "decode", document: "documents" };

/** Turns job progress events into progress bars. */
export class SubmitProgress {
  private bar: ProgressBar | undefined;
  private phase: JobProgress["phase"] | undefined;
  private done = 0;

  constructor(private readonly sink: TextSink) {}

  update(p: JobProgress): void {
    if (p.phase !== this.phase || this.bar === undefined) {
      this.bar?.finish();
      this.phase = p.phase;
      this.done = 0;
      this.bar = new ProgressBar(this.sink, { total: Math.max(1, p.total), label: LABELS[p.phase] });
      this.bar.step(p.phase === "document" ? "waiting for the groups" : `${p.phase}...`);
    }
    while (this.done < Math.min(p.done, p.total)) {
      this.done += 1;
      if (p.phase === "document" && p.docId !== undefined && !this.sink.isTTY) this.bar.step(`document ${p.docId} done`);
      this.bar.tick();
    }
  }

  finish(): void {
    this.bar?.finish();
    this.bar = undefined;
  }
}
