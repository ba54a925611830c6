// Type-aware lint: in a relay a dropped promise is a lost message.
import { dirname, relative, resolve, sep } from "node:path";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * Which workspace packages each package's src may import. The wire contract imports nothing of ours; the
 * relay never the client core or the SDK, so it cannot decrypt; test support (@bote/testing) no src at all.
 */
const mayImport = {
  protocol: [],
  core: ["protocol"],
  client: ["protocol", "core"],
  server: ["protocol"],
  cli: ["protocol", "core", "client", "server"],
  web: ["protocol", "core", "client"],
  testing: ["protocol", "core"],
  bench: ["protocol", "core", "client", "cli"],
};
/** These run in browsers as well as Node (the web app in browsers only): no Node built-ins. */
const browserPackages = new Set(["protocol", "core", "client", "web"]);

function zone(pkg, allowed, extra = []) {
  const bote = Object.keys(mayImport).filter((p) => p !== pkg && !allowed.includes(p));
  const patterns = [
    {
      group: bote.flatMap((p) => [`@bote/${p}`, `@bote/${p}/*`]),
      message: `${pkg} may import ${allowed.length === 0 ? "no other Bote package" : allowed.map((p) => `@bote/${p}`).join(", ")} (docs/ARCHITECTURE.md).`,
    },
    ...extra,
  ];
  if (browserPackages.has(pkg)) patterns.unshift({ group: ["node:*"], message: `${pkg} runs in browsers too.` });
  return { patterns };
}

/**
 * A relative import stays inside its package, and src stays inside src: another package is reached through
 * its name and `exports`, test code never from src.
 */
const relativeImportStaysHome = {
  meta: {
    type: "problem",
    messages: {
      otherPackage: "{{source}} reaches into packages/{{target}}; import @bote/{{target}} through its exports.",
      outOfPackage: "{{source}} leaves packages/{{home}}.",
      outOfSrc: "{{source}} leaves src/; shipped code does not import {{target}}.",
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const rel = relative(import.meta.dirname, file).split(sep);
    if (rel[0] !== "packages" || rel.length < 3) return {};
    const home = rel[1];
    const inSrc = rel[2] === "src";
    const check = (node) => {
      const source = node?.type === "Literal" && typeof node.value === "string" ? node.value : undefined;
      if (source === undefined || !source.startsWith(".")) return;
      const target = relative(import.meta.dirname, resolve(dirname(file), source)).split(sep);
      if (target[0] !== "packages" || target.length < 3) {
        context.report({ node, messageId: "outOfPackage", data: { source, home } });
      } else if (target[1] !== home) {
        context.report({ node, messageId: "otherPackage", data: { source, target: target[1] } });
      } else if (inSrc && target[2] !== "src") {
        context.report({ node, messageId: "outOfSrc", data: { source, target: target.slice(2).join("/") } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

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
  // Package boundaries (docs/ARCHITECTURE.md): each package's src imports only the packages below it.
  ...Object.entries(mayImport).map(([pkg, allowed]) => ({
    files: [`packages/${pkg}/src/**`],
    rules: { "no-restricted-imports": ["error", zone(pkg, allowed)] },
  })),
  {
    // Screens call state actions and read signals; the SDK is reached only from state/ (state/actions.ts).
    // Repeats the web zone because a later block's no-restricted-imports replaces the one above.
    files: ["packages/web/src/app/ui/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        zone("web", mayImport.web, [
          {
            group: ["**/state/session.js"],
            importNames: ["requireClient"],
            message: "Call a state action instead (packages/web/src/app/state); screens do not reach the SDK.",
          },
        ]),
      ],
    },
  },
  {
    // Reached only through the "node" condition of core's `#mls/platform` import, never by the web bundle.
    files: ["packages/core/src/mls/nodeCiphersuite.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: zone("core", mayImport.core).patterns.filter((p) => !p.group.includes("node:*")) },
      ],
    },
  },
  {
    files: ["packages/**"],
    plugins: { bote: { rules: { "relative-import-stays-home": relativeImportStaysHome } } },
    rules: { "bote/relative-import-stays-home": "error" },
  },
  { files: ["eslint.config.js"], ...tseslint.configs.disableTypeChecked },
);
