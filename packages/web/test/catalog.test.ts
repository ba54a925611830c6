/**
 * The German texts people read address them with "Sie", never "du": the
 * app's catalog and the error texts of the SDK and the server that the app
 * shows. English has the same keys (the compiler checks that).
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { clientErrorRegistry } from "@bote/client";
import { errorCodes, errorText } from "@bote/protocol";
import { de } from "@bote/web/i18n/de";
import { en } from "@bote/web/i18n/en";

/** Du-forms in any case; the plural ones lower case only, since "Ihr" and "Ihre" are the Sie-form's possessive. */
const DU = /\b(?:du|dich|dir|dein\w*)\b/i;
const DU_PLURAL = /\b(?:ihr|euch|euer|eure\w*)\b/;

function leaves(catalog: object, path = ""): [string, string][] {
  return Object.entries(catalog).flatMap(([key, value]): [string, string][] =>
    typeof value === "string" ? [[`${path}${key}`, value]] : leaves(value as object, `${path}${key}.`),
  );
}

function duForms(texts: [string, string][]): string[] {
  return texts.filter(([, text]) => DU.test(text) || DU_PLURAL.test(text)).map(([key, text]) => `${key}: ${text}`);
}

it("the German catalog says Sie, never du", () => {
  assert.deepEqual(duForms(leaves(de)), []);
});

it("the SDK's and the server's German error texts say Sie, never du", () => {
  const client = Object.entries(clientErrorRegistry).map(([code, texts]): [string, string] => [code, texts.de]);
  const server = errorCodes.map((code): [string, string] => [code, errorText(code, "de")]);
  assert.deepEqual(duForms([...client, ...server]), []);
});

it("the check finds a du-form and leaves the polite Ihr alone", () => {
  assert.deepEqual(
    duForms([
      ["a", "Ihr Name"],
      ["b", "Geben Sie Ihre PIN ein."],
    ]),
    [],
  );
  assert.equal(duForms([["c", "Du bist nicht mehr Mitglied."]]).length, 1);
  assert.equal(duForms([["d", "Gib deinen Namen ein."]]).length, 1);
  assert.equal(duForms([["e", "Habt ihr das Foto?"]]).length, 1);
});

it("English has a text wherever German has one", () => {
  assert.deepEqual(
    leaves(en).map(([key]) => key),
    leaves(de).map(([key]) => key),
  );
});
