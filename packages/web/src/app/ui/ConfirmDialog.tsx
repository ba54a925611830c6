import { useEffect, useRef } from "preact/hooks";
import { t } from "../i18n/i18n.js";

/**
 * A question before something that cannot be undone: what happens, in a
 * sentence, and a button that names the action. Escape and "Abbrechen"
 * cancel; focus starts on "Abbrechen", the safe choice.
 */
export function ConfirmDialog({
  title,
  text,
  confirmLabel,
  danger = true,
  busy = false,
  onConfirm,
  onCancel,
}: {
  title: string;
  text: string;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    cancel.current?.focus();
    return () => opener?.focus();
  }, []);
  return (
    <div
      class="dialog-backdrop"
      role="alertdialog"
      aria-modal="true"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-text"
      onKeyDown={(e) => {
        if (e.key === "Escape") onCancel();
      }}
    >
      <div class="dialog">
        <h2 id="confirm-title">{title}</h2>
        <p id="confirm-text">{text}</p>
        <div class="dialog-buttons">
          <button type="button" class="secondary" ref={cancel} onClick={onCancel}>
            {t("common.cancel")}
          </button>
          <button type="button" class={`primary ${danger ? "danger-fill" : ""}`} disabled={busy} onClick={onConfirm}>
            {confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
