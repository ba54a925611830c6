/**
 * Every package a workspace package's src loads at run time (imports that survive compilation, dynamic
 * imports, `import.meta.resolve`) is one of its `dependencies`. npm's hoisting lets undeclared ones
 * work in this repository and nowhere else; devDependencies are not installed for a production install.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
const packagesDir = join(repo, "packages");

/** The module specifiers a source file resolves when it runs; type-only imports are erased. */
export function runtimeSpecifiers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      if (node.importClause?.isTypeOnly !== true) found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
      if (!node.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const ref = node.moduleReference.expression;
      if (!node.isTypeOnly && ts.isStringLiteral(ref)) found.push(ref.text);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const dynamicImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      // import.meta.resolve("pkg/…"): the file is found through the package at run time.
      const metaResolve =
        ts.isPropertyAccessExpression(callee) &&
        callee.name.text === "resolve" &&
        ts.isMetaProperty(callee.expression) &&
        callee.expression.keywordToken === ts.SyntaxKind.ImportKeyword;
      const [first] = node.arguments;
      if ((dynamicImport || metaResolve) && first !== undefined && ts.isStringLiteralLike(first))
        found.push(first.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function packageOf(specifier: string): string | undefined {
  // "#…" is the package's own `imports` map (package.json), not another package.
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("#") || isBuiltin(specifier)) {
    return undefined;
  }
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath, e.name));
}

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

describe("declared dependencies", () => {
  it("every package a src file loads at run time is in that package's dependencies", () => {
    const undeclared: string[] = [];
    const workspaces = readdirSync(packagesDir).filter((name) => {
      try {
        readdirSync(join(packagesDir, name, "src"));
        return true;
      } catch {
        return false;
      }
    });
    assert.ok(workspaces.length >= 8, `found the packages: ${workspaces.join(", ")}`);
    for (const name of workspaces) {
      const dir = join(packagesDir, name);
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
      const declared = new Set([pkg.name, ...Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })]);
      for (const file of sourceFiles(join(dir, "src"))) {
        for (const specifier of runtimeSpecifiers(file, readFileSync(file, "utf8"))) {
          const used = packageOf(specifier);
          if (used !== undefined && !declared.has(used)) {
            undeclared.push(`${relative(repo, file)}: "${specifier}" (${used} is not in ${pkg.name}'s dependencies)`);
          }
        }
      }
    }
    assert.deepEqual(undeclared, []);
  });

  it("finds what survives compilation, and only that", () => {
    const text = [
      'import a from "kept-default";',
      'import { type T, b } from "kept-named";',
      'import { type OnlyType } from "kept-empty-import";',
      'import type { C } from "erased";',
      'export { d } from "kept-reexport";',
      'export type { E } from "erased-too";',
      'import "kept-side-effect";',
      'const f = await import("kept-dynamic");',
      'const g = import.meta.resolve("kept-resolved/file.html");',
      'type H = typeof import("erased-type-query");',
    ].join("\n");
    assert.deepEqual(runtimeSpecifiers("fixture.ts", text), [
      "kept-default",
      "kept-named",
      "kept-empty-import",
      "kept-reexport",
      "kept-side-effect",
      "kept-dynamic",
      "kept-resolved/file.html",
    ]);
    assert.deepEqual(["node:fs", "fs/promises", "./local.js", "@scope/pkg/sub", "pkg/sub"].map(packageOf), [
      undefined,
      undefined,
      undefined,
      "@scope/pkg",
      "pkg",
    ]);
  });
});
