import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n/i18n.js";
import { sendFiles, sendVoice } from "../state/files.js";
import { formatDuration, startRecording, VoiceError, type VoiceRecorder } from "../../media/voiceRecorder.js";
import type { Line } from "../state/lines.js";
import { previewText } from "./previewText.js";
import { reportError } from "../state/actions.js";
import { editMessage, sendText } from "../state/messages.js";
import { showToast } from "../state/session.js";
import { Icon } from "./icons.js";
import { touchFirst } from "./touch.js";
import { SendFiles } from "./SendFiles.js";

interface Props {
  conversationId: string;
  replyTo: Line | undefined;
  editing: Line | undefined;
  onDone: () => void;
}

/** A press on the microphone longer than this is a hold: letting go sends. A shorter one is a tap: record until "send". */
const HOLD_MS = 400;

/** Typing, replying, editing, picking files and recording voice; all go to the outbox even offline. */
export function Composer({ conversationId, replyTo, editing, onDone }: Props) {
  const [text, setText] = useState("");
  const [files, setFiles] = useState<File[]>([]);
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const camera = useRef<HTMLInputElement>(null);
  const [recorder, setRecorder] = useState<VoiceRecorder | undefined>();
  const [elapsed, setElapsed] = useState(0);
  const pressedAt = useRef(0);

  useEffect(() => {
    if (recorder === undefined) return;
    const timer = setInterval(() => setElapsed(performance.now() - recorder.startedAt), 250);
    return () => clearInterval(timer);
  }, [recorder]);
  // Leaving the chat while recording throws the recording away and frees the microphone.
  const current = useRef<VoiceRecorder | undefined>(undefined);
  current.current = recorder;
  useEffect(() => () => current.current?.cancel(), []);

  const startVoice = async () => {
    pressedAt.current = performance.now();
    try {
      setElapsed(0);
      setRecorder(await startRecording());
    } catch (err) {
      if (err instanceof VoiceError) showToast(t(err.code === "voice_denied" ? "voice.denied" : "voice.unsupported"));
      else reportError(err);
    }
  };
  const finishVoice = async (send: boolean) => {
    const running = recorder;
    if (running === undefined) return;
    setRecorder(undefined);
    if (!send) {
      running.cancel();
      return;
    }
    await sendVoice(conversationId, running);
  };

  // Before paint: what is typed right after "Bearbeiten" goes into the message's text, never in front of it.
  useLayoutEffect(() => {
    if (editing?.kind === "text") setText(editing.text);
    else if (editing?.kind === "file") setText(editing.attachment.caption);
    if (editing !== undefined || replyTo !== undefined) input.current?.focus();
  }, [editing, replyTo]);

  const send = async () => {
    const value = text.trim();
    if (value === "") return;
    setText("");
    const sent =
      editing !== undefined
        ? await editMessage(editing.record.messageId, value)
        : await sendText(conversationId, value, replyTo?.record.messageId);
    if (sent) onDone();
    else setText(value);
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
      {recorder !== undefined && (
        <div class="recording" role="status">
          <button
            type="button"
            class="icon-button"
            aria-label={t("voice.cancel")}
            onClick={() => void finishVoice(false)}
          >
            <Icon name="close" />
          </button>
          <span class="recording-dot" aria-hidden="true" />
          <span>
            {t("voice.recording")} {formatDuration(elapsed)}
          </span>
          <button
            type="button"
            class="icon-button send"
            aria-label={t("voice.send")}
            onClick={() => void finishVoice(true)}
          >
            <Icon name="send" />
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
        {text.trim() === "" && editing === undefined ? (
          <button
            type="button"
            class="icon-button send"
            aria-label={t("composer.record")}
            onPointerDown={(e) => {
              // Held, the release still reaches this button when the finger has slid off it.
              e.currentTarget.setPointerCapture(e.pointerId);
              void (recorder === undefined ? startVoice() : finishVoice(true));
            }}
            onPointerUp={() => {
              if (performance.now() - pressedAt.current >= HOLD_MS) void finishVoice(true);
            }}
            onContextMenu={(e) => e.preventDefault()}
          >
            <Icon name="mic" />
          </button>
        ) : (
          <button type="submit" class="icon-button send" aria-label={t("composer.send")}>
            <Icon name="send" />
          </button>
        )}
      </form>
      {files.length > 0 && (
        <SendFiles
          files={files}
          onCancel={() => setFiles([])}
          onSend={(items) => {
            setFiles([]);
            void sendFiles(conversationId, items);
          }}
        />
      )}
    </div>
  );
}
