// Vitest project for @apb/backend-onnx: unit tests beside the code, slower model tests as *.int.test.ts.
import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "backend-onnx", include: ["src/**/*.test.ts", "test/**/*.test.ts"], testTimeout: 60_000 },
});
