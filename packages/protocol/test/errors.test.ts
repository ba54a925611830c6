import { it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { errorRegistry, errorCodes } from "@bote/protocol";

it("docs/errors.md lists exactly the codes of the registry, with their statuses and texts", async () => {
  const doc = await readFile(new URL("../../../docs/errors.md", import.meta.url), "utf8");
  const rows = doc
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  const documented = rows.map((r) => r[0]!.replaceAll("`", ""));
  assert.deepEqual([...documented].sort(), [...errorCodes].sort());
  for (const [code, http, ws, de, en] of rows) {
    const def: { http: number; wsClose?: number; de: string; en: string } =
      errorRegistry[code!.replaceAll("`", "") as keyof typeof errorRegistry];
    assert.equal(Number(http), def.http, `${code} HTTP status`);
    assert.equal(ws, def.wsClose === undefined ? "—" : String(def.wsClose), `${code} close code`);
    assert.equal(de, def.de, `${code} German text`);
    assert.equal(en, def.en, `${code} English text`);
  }
});

it("every code has a German and an English text that differ", () => {
  for (const code of errorCodes) {
    const def = errorRegistry[code];
    assert.ok(def.de.length > 0 && def.en.length > 0);
    assert.notEqual(def.de, def.en, code);
  }
});
