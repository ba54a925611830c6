import { useEffect, useMemo, useState } from "preact/hooks";
import { formatBytes, t } from "../i18n/i18n.js";
import type { Outgoing } from "../state/files.js";
import { isPhoto } from "../../media/photo.js";
import { Icon } from "./icons.js";

/**
 * The preview before sending: photos as pictures, other files by name and
 * size, one caption, and the "as file" choice (original bytes, metadata
 * included) — off by default, so photos lose EXIF and GPS data.
 */
export function SendFiles({
  files,
  onCancel,
  onSend,
}: {
  files: File[];
  onCancel: () => void;
  onSend: (items: Outgoing[]) => void;
}) {
  const [caption, setCaption] = useState("");
  const [asFile, setAsFile] = useState(false);
  const urls = useMemo(
    () => files.map((f) => (f.type.startsWith("image/") ? URL.createObjectURL(f) : undefined)),
    [files],
  );
  useEffect(() => () => urls.forEach((u) => u && URL.revokeObjectURL(u)), [urls]);
  const photos = files.some((f) => isPhoto(f.type));
  return (
    <div class="dialog-backdrop" role="dialog" aria-modal="true" aria-labelledby="send-files-title">
      <form
        class="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          // The caption goes with the last file, as it shows under an album.
          onSend(files.map((file, i) => ({ file, asFile, caption: i === files.length - 1 ? caption.trim() : "" })));
        }}
      >
        <h2 id="send-files-title">{t("sendFiles.title", { count: files.length })}</h2>
        <ul class="send-previews">
          {files.map((file, i) => (
            <li key={i}>
              {urls[i] ? <img src={urls[i]} alt={file.name} /> : <Icon name="file" size={40} />}
              <span class="file-name">{file.name}</span>
              <span class="file-size">{formatBytes(file.size)}</span>
            </li>
          ))}
        </ul>
        <label for="caption">{t("sendFiles.caption")}</label>
        <input
          id="caption"
          value={caption}
          maxLength={1000}
          onInput={(e) => setCaption(e.currentTarget.value)}
          autoFocus
        />
        {photos && (
          <label class="checkbox">
            <input type="checkbox" checked={asFile} onChange={(e) => setAsFile(e.currentTarget.checked)} />
            <span>
              {t("sendFiles.asFile")}
              <span class="hint block">{t("sendFiles.asFileHint")}</span>
            </span>
          </label>
        )}
        <div class="dialog-buttons">
          <button type="button" class="secondary" onClick={onCancel}>
            {t("common.cancel")}
          </button>
          <button type="submit" class="primary">
            {t("sendFiles.send")}
          </button>
        </div>
      </form>
    </div>
  );
}
