// Type-aware lint: in a relay a dropped promise is a lost message.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/dist-test/**",
      "packages/protocol/src/gen/**",
      "data/**",
      "scripts/**",
      "packages/*/scripts/**",
      "packages/cli/bin/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          // node:test runs these itself; their promises are not ours to await.
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["it", "describe", "test", "suite"] },
          ],
        },
      ],
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // The wire contract, the client core and the SDK run in browsers and Node alike, the web app in
    // browsers only: no Node built-ins.
    files: ["packages/protocol/src/**", "packages/core/src/**", "packages/client/src/**", "packages/web/src/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["node:*"] }],
    },
  },
  {
    // Screens call state actions and read signals; the SDK is reached only from state/ (state/actions.ts).
    // Repeats node:* because a later block's no-restricted-imports replaces the one above.
    files: ["packages/web/src/app/ui/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*"] },
            {
              group: ["**/state/session.js"],
              importNames: ["requireClient"],
              message: "Call a state action instead (packages/web/src/app/state); screens do not reach the SDK.",
            },
          ],
        },
      ],
    },
  },
  {
    // The relay must never be able to decrypt: it does not import the client core.
    files: ["packages/server/src/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: ["@bote/core", "@bote/core/*", "@bote/client", "@bote/client/*"] },
      ],
    },
  },
  { files: ["eslint.config.js"], ...tseslint.configs.disableTypeChecked },
);
