import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n/i18n.js";
import { reportError } from "../state/actions.js";
import { openFile } from "../state/files.js";
import type { FileLine } from "../state/lines.js";
import { formatDuration } from "../../media/voiceRecorder.js";
import { Icon } from "./icons.js";

/**
 * A voice message in the chat: play and pause, a bar of how much was played
 * and the length (the time played while it plays). It is downloaded and
 * decrypted on the first play, into this tab's memory only.
 */
export function VoiceMessage({ line }: { line: FileLine }) {
  const { attachment } = line;
  const [playing, setPlaying] = useState(false);
  const [position, setPosition] = useState(0);
  const [length, setLength] = useState(attachment.durationMs ?? 0);
  const audio = useRef<HTMLAudioElement | null>(null);
  useEffect(() => () => audio.current?.pause(), []);

  const toggle = async () => {
    if (audio.current === null) {
      const url = await openFile(line);
      if (url === undefined) return;
      const player = new Audio(url);
      player.ontimeupdate = () => setPosition(player.currentTime * 1000);
      player.onloadedmetadata = () => {
        // MediaRecorder's WebM says Infinity; the sender's measured length stands then.
        if (Number.isFinite(player.duration) && attachment.durationMs === undefined) setLength(player.duration * 1000);
      };
      player.onended = () => {
        setPlaying(false);
        setPosition(0);
      };
      player.onpause = () => setPlaying(false);
      player.onplay = () => setPlaying(true);
      audio.current = player;
    }
    // Playing is the browser's, not the SDK's: a format it cannot play is still said in a toast.
    if (playing) audio.current.pause();
    else await audio.current.play().catch(reportError);
  };

  return (
    <div class="voice">
      <button
        class="icon-button"
        aria-label={playing ? t("voice.pause") : t("voice.play")}
        onClick={() => void toggle()}
      >
        <Icon name={playing ? "pause" : "play"} />
      </button>
      <progress
        class="progress voice-progress"
        max={Math.max(length, 1)}
        value={Math.min(position, length)}
        aria-label={t("voice.position")}
      />
      <span class="voice-duration">{formatDuration(playing || position > 0 ? position : length)}</span>
    </div>
  );
}
