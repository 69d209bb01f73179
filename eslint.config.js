// Lint rules for the monorepo: typescript-eslint recommended plus the size and error rules of STYLE.md (G2, G7).
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/*.d.ts", "tools/**", "**/.turbo/**", "**/coverage/**", "packages/backend-cuda/build/**"] },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "max-lines": ["error", { max: 700, skipBlankLines: true, skipComments: true }],
      "max-params": ["error", 4],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["packages/*/src/**/*.ts", "apps/*/src/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "max-lines-per-function": ["error", { max: 60, skipBlankLines: true, skipComments: true }],
      "no-restricted-syntax": [
        "error",
        { selector: "ThrowStatement > NewExpression[callee.name='Error']", message: "Throw a typed ApbError subclass with a code (STYLE.md G7)." },
        { selector: "ReturnStatement > UnaryExpression[operator='-'][argument.value=1]", message: "No -1 sentinels (STYLE.md G4): return undefined." },
      ],
    },
  },
  {
    files: ["**/*.test.ts"],
    rules: { "max-lines": ["error", { max: 1000 }], "max-params": "off" },
  },
);
