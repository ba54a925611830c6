import { it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { errorCodes } from "@bote/protocol";
import { clientErrorRegistry, ClientError, type ClientErrorCode } from "@bote/client";

it("docs/client-errors.md lists exactly the client codes with their texts", async () => {
  const doc = await readFile(new URL("../../../docs/client-errors.md", import.meta.url), "utf8");
  const rows = doc
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  assert.deepEqual(rows.map((r) => r[0]!.replaceAll("`", "")).sort(), Object.keys(clientErrorRegistry).sort());
  for (const [code, de, en] of rows) {
    const def = clientErrorRegistry[code!.replaceAll("`", "") as ClientErrorCode];
    assert.equal(de, def.de);
    assert.equal(en, def.en);
    assert.notEqual(def.de, def.en);
  }
});

it("client codes never reuse a server code, so a program can tell where an error arose", () => {
  for (const code of Object.keys(clientErrorRegistry)) assert.ok(!(errorCodes as string[]).includes(code), code);
});

it("a server code keeps the server's texts", () => {
  assert.ok(new ClientError("stale_epoch").text("en").length > 0);
  assert.equal(new ClientError("offline").text("de"), clientErrorRegistry.offline.de);
});
