import { it } from "node:test";
import assert from "node:assert/strict";
import { Attachment_Kind } from "@bote/protocol";
import * as light from "@bote/protocol/light";

it("the light subpath's attachment kinds are the generated enum's", () => {
  const generated = Object.fromEntries(Object.entries(Attachment_Kind).filter(([k]) => Number.isNaN(Number(k))));
  assert.deepEqual({ ...light.ATTACHMENT_KIND }, generated);
});

it("the light subpath exports nothing of the codecs, which need protobuf-es", () => {
  for (const name of ["decodeContent", "encodeContent", "decodeServerFrame", "ContentSchema", "Attachment_Kind"]) {
    assert.equal(name in light, false, name);
  }
  assert.equal(typeof light.encodeBase64url, "function");
});
