// Vitest project of the multi-agent example: runs its main() on the shipped model (a ~2K-token briefing, two
// in-process hosts) and checks the counters (one prefill, three questions) and every agent's answer.
import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "example-multi-agent-shared-context", include: ["test/**/*.test.ts"], testTimeout: 120_000 },
});
