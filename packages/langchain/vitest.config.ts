// Vitest project for @apb/langchain: pure unit tests beside the code (src/**), the chat-model contract tests in test/
// against the shipped model on in-process hosts (short contexts, so the whole project runs in well under a minute).
import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "langchain",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
