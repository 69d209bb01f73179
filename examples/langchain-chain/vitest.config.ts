// Vitest project of the langchain-chain example: runs its main() on the shipped model (a ~3K-token document, two
// in-process hosts) and checks the chain's answer against the task generator's.
import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "example-langchain-chain", include: ["test/**/*.test.ts"], testTimeout: 120_000 },
});
