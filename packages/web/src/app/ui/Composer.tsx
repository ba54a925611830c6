import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n/i18n.js";
import { sendFiles } from "../state/files.js";
import type { Line } from "../state/lines.js";
import { previewText } from "./previewText.js";
import { errorText, requireClient, showToast } from "../state/session.js";
import { Icon } from "./icons.js";
import { touchFirst } from "./touch.js";
import { SendFiles } from "./SendFiles.js";

interface Props {
  conversationId: string;
  replyTo: Line | undefined;
  editing: Line | undefined;
  onDone: () => void;
}

/** Typing, replying, editing and picking files; texts go to the outbox even offline. */
export function Composer({ conversationId, replyTo, editing, onDone }: Props) {
  const [text, setText] = useState("");
  const [files, setFiles] = useState<File[]>([]);
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const camera = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (editing?.kind === "text") setText(editing.text);
    else if (editing?.kind === "file") setText(editing.attachment.caption);
    if (editing !== undefined || replyTo !== undefined) input.current?.focus();
  }, [editing, replyTo]);

  const send = async () => {
    const value = text.trim();
    if (value === "") return;
    setText("");
    const client = requireClient();
    try {
      if (editing !== undefined) await client.edit(editing.record.messageId, value);
      else await client.sendText(conversationId, value, replyTo?.record.messageId);
      onDone();
    } catch (err) {
      setText(value);
      showToast(errorText(err));
    }
  };
  const picked = (event: Event) => {
    const target = event.currentTarget as HTMLInputElement;
    setFiles([...(target.files ?? [])]);
    target.value = "";
  };

  const context = editing ?? replyTo;
  return (
    <div class="composer">
      {context !== undefined && (
        <div class="composer-context">
          <span>
            <strong>
              {editing !== undefined
                ? t("composer.editing")
                : t("composer.replyingTo", { name: context.record.senderName })}
            </strong>
            <span class="muted context-preview">{previewText(context)}</span>
          </span>
          <button class="icon-button" aria-label={t("common.cancel")} onClick={() => (setText(""), onDone())}>
            <Icon name="close" size={18} />
          </button>
        </div>
      )}
      <form
        class="composer-row"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <button
          type="button"
          class="icon-button"
          aria-label={t("composer.attach")}
          onClick={() => picker.current?.click()}
        >
          <Icon name="attach" />
        </button>
        <button
          type="button"
          class="icon-button"
          aria-label={t("composer.camera")}
          onClick={() => camera.current?.click()}
        >
          <Icon name="camera" />
        </button>
        <input ref={picker} type="file" multiple hidden onChange={picked} data-testid="file-input" />
        <input ref={camera} type="file" accept="image/*" capture="environment" hidden onChange={picked} />
        <textarea
          ref={input}
          rows={1}
          aria-label={t("composer.label")}
          placeholder={t("composer.placeholder")}
          value={text}
          maxLength={16000}
          onInput={(e) => setText(e.currentTarget.value)}
          enterkeyhint={touchFirst() ? "enter" : "send"}
          onKeyDown={(e) => {
            // A phone's keyboard has one Enter key and no Shift+Enter: there it makes a new line,
            // and the send button sends. With a physical keyboard Enter sends, Shift+Enter breaks the line.
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing && !touchFirst()) {
              e.preventDefault();
              void send();
            }
          }}
        />
        <button type="submit" class="icon-button send" aria-label={t("composer.send")} disabled={text.trim() === ""}>
          <Icon name="send" />
        </button>
      </form>
      {files.length > 0 && (
        <SendFiles
          files={files}
          onCancel={() => setFiles([])}
          onSend={(items) => {
            setFiles([]);
            sendFiles(conversationId, items).catch((err: unknown) => showToast(errorText(err)));
          }}
        />
      )}
    </div>
  );
}
