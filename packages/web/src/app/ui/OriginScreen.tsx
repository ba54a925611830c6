import { t } from "../i18n/i18n.js";
import type { originVerdict } from "../state/canonicalOrigin.js";
import { Icon } from "./icons.js";
import { LanguageSwitch } from "./Settings.js";

type Verdict = NonNullable<typeof originVerdict.value>;

/**
 * The page is not on the server's public URL (it is moving there, or cannot
 * get there) or not on HTTPS: heading, what is wrong and what to do, in one
 * card, and nothing else — no form that could spend an invitation here.
 */
export function OriginScreen({ verdict }: { verdict: Verdict }) {
  if (verdict.kind === "move") {
    return (
      <main class="center" aria-busy="true">
        <p>{t("origin.moving", { publicUrl: verdict.publicUrl })}</p>
      </main>
    );
  }
  const [title, text, what] =
    verdict.kind === "insecure"
      ? [t("origin.insecureTitle"), t("origin.insecureText", { here: verdict.here }), t("origin.insecureWhat")]
      : [
          t("origin.elsewhereTitle"),
          t("origin.elsewhereText", { publicUrl: verdict.publicUrl }),
          t("origin.elsewhereWhat"),
        ];
  return (
    <main class="center">
      <div class="card ended" role="alert">
        <Icon name="warning" size={40} />
        <h1>{title}</h1>
        <p>{text}</p>
        <p>{what}</p>
        <LanguageSwitch />
      </div>
    </main>
  );
}
