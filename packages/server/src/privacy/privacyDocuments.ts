/** The data protection documents, generated from the running server (docs/PROTOCOL.md §22). */
import type { PrivacyDocument } from "@bote/protocol";
import type { Lang } from "./dataCategories.js";
import type { PrivacyFacts } from "./privacyFacts.js";
import type { RenderedDocument } from "./documents/common.js";
import { renderInfo } from "./documents/info.js";
import { renderRecord } from "./documents/record.js";
import { renderToms } from "./documents/toms.js";
import { renderDpia } from "./documents/dpia.js";
import { renderProcessor } from "./documents/processor.js";

export function renderPrivacyDocument(
  document: PrivacyDocument,
  facts: PrivacyFacts,
  lang: Lang,
  now: Date,
): RenderedDocument {
  switch (document) {
    case "info":
      return renderInfo(facts, lang, now);
    case "record":
      return renderRecord(facts, lang, now);
    case "toms":
      return renderToms(facts, lang, now);
    case "dpia":
      return renderDpia(facts, lang, now);
    case "processor":
      return renderProcessor(facts, lang, now);
    default: {
      const unknown: never = document;
      throw new RangeError(`unknown document ${String(unknown)}`);
    }
  }
}
