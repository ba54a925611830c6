import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import type { RefObject } from "preact";
import { t } from "../i18n/i18n.js";
import type { Line } from "../state/lines.js";
import { copyText, deleteMessage, react } from "../state/messages.js";
import { touchFirst } from "./touch.js";

const QUICK_REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"];
/** Space kept between the menu and the screen's edges or the composer, in CSS pixels. */
const MARGIN = 8;
/** How long a finger rests on a message before its menu opens (WhatsApp and Android use about this). */
export const LONG_PRESS_MS = 500;
/** A finger that moves this far is scrolling, not pressing. */
const LONG_PRESS_SLOP_PX = 10;

interface MenuProps {
  line: Exclude<Line, { kind: "event" }>;
  /** The message's bubble: the menu opens next to it. */
  anchor: RefObject<HTMLElement | null>;
  /** Where focus returns when the menu closes by keyboard. */
  trigger: RefObject<HTMLElement | null>;
  canChange: boolean;
  onClose: (returnFocus: boolean) => void;
  onReply: () => void;
  onEdit: () => void;
}

/**
 * A message's actions, placed in fixed position next to its bubble: below it
 * when there is room above the composer, else above it, and pushed into the
 * screen when neither fits. So the menu of the last message on a phone never
 * hides behind the composer or the screen's edge.
 */
export function MessageMenu({ line, anchor, trigger, canChange, onClose, onReply, onEdit }: MenuProps) {
  const box = useRef<HTMLDivElement>(null);
  const record = line.record;
  useLayoutEffect(() => {
    const menu = box.current;
    const bubble = anchor.current;
    if (menu === null || bubble === null) return;
    placeMenu(menu, bubble, record.direction === "out");
    // Keyboard: the first item takes focus; without scrolling, which would close the menu.
    menu.querySelector<HTMLButtonElement>("button")?.focus({ preventScroll: true });
  }, []);
  useEffect(() => {
    // The menu stays where it was placed: when the chat scrolls or the screen changes size, it goes.
    const close = (event: Event) => {
      if (event.target instanceof Node && box.current?.contains(event.target)) return;
      onClose(false);
    };
    addEventListener("scroll", close, { capture: true, passive: true });
    addEventListener("resize", close, { passive: true });
    return () => {
      removeEventListener("scroll", close, { capture: true });
      removeEventListener("resize", close);
    };
  }, [onClose]);
  const act = (action: () => Promise<void>) => {
    onClose(false);
    void action();
  };
  const text = line.kind === "text" ? line.text : line.kind === "file" ? line.attachment.caption : "";
  return (
    <div
      class="menu"
      role="menu"
      ref={box}
      onKeyDown={(e) => e.key === "Escape" && onClose(true)}
      onFocusOut={(e) => {
        const next = e.relatedTarget as Node | null;
        if (!box.current?.contains(next) && next !== trigger.current) onClose(false);
      }}
    >
      <div class="quick-reactions" role="group" aria-label={t("message.react")}>
        {QUICK_REACTIONS.map((emoji) => (
          <button
            key={emoji}
            role="menuitem"
            aria-label={t("message.reactWith", { emoji })}
            onClick={() => act(() => react(line, emoji))}
          >
            {emoji}
          </button>
        ))}
      </div>
      <button role="menuitem" onClick={() => (onClose(false), onReply())}>
        {t("message.reply")}
      </button>
      {text !== "" && (
        <button role="menuitem" onClick={() => act(() => copyText(text))}>
          {t("message.copy")}
        </button>
      )}
      {canChange && (line.kind === "text" || line.kind === "file") && (
        <button role="menuitem" onClick={() => (onClose(false), onEdit())}>
          {t("message.edit")}
        </button>
      )}
      {canChange && (
        <button
          role="menuitem"
          class="danger"
          onClick={() => {
            if (confirm(t("message.deleteConfirm"))) act(() => deleteMessage(record.messageId));
            else onClose(false);
          }}
        >
          {t("message.delete")}
        </button>
      )}
    </div>
  );
}

/** Below the bubble if it fits above the composer, else above the bubble, else as far up as the screen allows. */
function placeMenu(menu: HTMLElement, bubble: HTMLElement, mine: boolean): void {
  const anchor = bubble.getBoundingClientRect();
  const composer = bubble.closest(".chat")?.querySelector(".composer")?.getBoundingClientRect();
  const bottom = Math.min(innerHeight, composer?.top ?? innerHeight) - MARGIN;
  const room = bottom - MARGIN;
  if (menu.offsetHeight > room) menu.style.maxHeight = `${Math.max(room, 0)}px`;
  const { width, height } = menu.getBoundingClientRect();
  let top = anchor.bottom + 4;
  if (top + height > bottom) top = anchor.top - 4 - height;
  top = Math.max(MARGIN, Math.min(top, bottom - height));
  let left = mine ? anchor.right - width : anchor.left;
  left = Math.max(MARGIN, Math.min(left, innerWidth - MARGIN - width));
  menu.style.top = `${top}px`;
  menu.style.left = `${left}px`;
  menu.dataset.placed = "1";
}

/**
 * A finger resting on an element: Android's long press also fires
 * `contextmenu`, iOS Safari does not, so both are handled and either opens.
 * After a long press the finger's lift is no tap.
 */
export function useLongPress(open: () => void) {
  const pressing = useRef<{ timer: ReturnType<typeof setTimeout>; x: number; y: number } | undefined>(undefined);
  const fired = useRef(false);
  const cancel = () => {
    if (pressing.current !== undefined) clearTimeout(pressing.current.timer);
    pressing.current = undefined;
  };
  useEffect(() => cancel, []);
  return {
    onContextMenu: (e: MouseEvent) => {
      // With a mouse, a right click keeps the browser's own menu (copying a selected word, …).
      if (!touchFirst()) return;
      e.preventDefault();
      cancel();
      open();
    },
    onTouchStart: (e: TouchEvent) => {
      cancel();
      fired.current = false;
      const touch = e.touches[0];
      if (e.touches.length !== 1 || touch === undefined) return;
      const timer = setTimeout(() => {
        pressing.current = undefined;
        fired.current = true;
        open();
      }, LONG_PRESS_MS);
      pressing.current = { timer, x: touch.clientX, y: touch.clientY };
    },
    onTouchMove: (e: TouchEvent) => {
      const touch = e.touches[0];
      const start = pressing.current;
      if (start === undefined || touch === undefined) return;
      if (Math.hypot(touch.clientX - start.x, touch.clientY - start.y) > LONG_PRESS_SLOP_PX) cancel();
    },
    onTouchEnd: (e: TouchEvent) => {
      cancel();
      if (fired.current && e.cancelable) e.preventDefault();
      fired.current = false;
    },
    onTouchCancel: cancel,
  };
}
