import { useEffect } from "preact/hooks";
import { formatTime, t } from "../i18n/i18n.js";
import {
  cancelDeviceLinkOffer,
  confirmDeviceLink,
  copyDeviceLink,
  linkOffer,
  offerDeviceLink,
  type LinkOffer,
} from "../state/deviceLink.js";
import { navigate } from "../state/route.js";
import { showToast } from "../state/session.js";
import { Icon } from "./icons.js";

/**
 * Settings → "Link another device", on the signed-in device: the QR code,
 * the code in large letters and the link, then the comparison code to check
 * against the new device's screen before anything is handed over. Leaving
 * the screen before confirming cancels the offer.
 */
export function LinkDevice() {
  useEffect(() => {
    void offerDeviceLink();
    return () => cancelDeviceLinkOffer();
  }, []);
  return (
    <section class="info" aria-labelledby="link-device-title">
      <header class="bar">
        <a class="icon-button back" href="#/settings" aria-label={t("common.back")}>
          <Icon name="back" />
        </a>
        <h2 id="link-device-title" class="bar-title">
          {t("deviceLink.title")}
        </h2>
      </header>
      <div class="info-body device-link">
        <OfferStep offer={linkOffer.value ?? { step: "starting" }} />
      </div>
    </section>
  );
}

function cancel(): void {
  cancelDeviceLinkOffer();
  showToast(t("deviceLink.cancelled"));
  navigate({ screen: "settings" });
}

function OfferStep({ offer }: { offer: LinkOffer }) {
  switch (offer.step) {
    case "starting":
      return <Busy text={t("deviceLink.starting")} />;
    case "waiting":
      return (
        <>
          <p class="hint">{t("deviceLink.intro")}</p>
          <p>{t("deviceLink.scan")}</p>
          <img class="qr" src={offer.qr} alt={t("deviceLink.qrAlt")} width={280} height={280} />
          <p class="device-link-code-label">{t("deviceLink.code")}</p>
          <p class="device-link-code" data-testid="device-link-code">
            {offer.code}
          </p>
          <p class="hint">{t("deviceLink.validUntil", { time: formatTime(Date.parse(offer.expiresAt)) })}</p>
          <Busy text={t("deviceLink.waiting")} />
          <label for="device-link-url">{t("deviceLink.link")}</label>
          <textarea
            id="device-link-url"
            readOnly
            rows={2}
            value={offer.url}
            onFocus={(e) => e.currentTarget.select()}
          />
          <div class="button-row">
            <button class="secondary" onClick={() => void copyDeviceLink(offer.url)}>
              {t("deviceLink.copy")}
            </button>
            <button class="secondary" onClick={cancel}>
              {t("common.cancel")}
            </button>
          </div>
        </>
      );
    case "compare":
      return (
        <div class="device-link-compare">
          <h3>{t("deviceLink.compareTitle")}</h3>
          <ComparisonCode code={offer.comparisonCode} />
          <p class="device-link-question">{t("deviceLink.compareQuestion")}</p>
          <p class="hint">{t("deviceLink.compareHint")}</p>
          <div class="button-row">
            <button class="primary" onClick={() => void confirmDeviceLink()}>
              {t("deviceLink.confirm")}
            </button>
            <button class="secondary" onClick={cancel}>
              {t("common.cancel")}
            </button>
          </div>
        </div>
      );
    case "confirming":
      return <Busy text={t("deviceLink.confirming")} />;
    case "linked":
      return (
        <div class="device-link-compare">
          <p class="calm" role="status">
            <Icon name="shieldCheck" size={18} />
            {t("deviceLink.linked")}
          </p>
          <p>{t("deviceLink.linkedHint")}</p>
          <a class="secondary link-button" href="#/settings">
            {t("deviceLink.toSettings")}
          </a>
        </div>
      );
    case "failed":
      return (
        <>
          <p class="error" role="alert">
            {offer.message()}
          </p>
          <div class="button-row">
            <button class="primary" onClick={() => void offerDeviceLink()}>
              {t("deviceLink.again")}
            </button>
            <a class="secondary link-button" href="#/settings">
              {t("deviceLink.toSettings")}
            </a>
          </div>
        </>
      );
  }
}

/** Six digits, large, the same on both screens: compared by eye, read out as "123 456". */
export function ComparisonCode({ code }: { code: string }) {
  return (
    <p class="comparison-code" data-testid="comparison-code" aria-label={`${t("deviceLink.comparisonCode")}: ${code}`}>
      {code}
    </p>
  );
}

/** A step that takes a moment: an indeterminate bar and what is happening. */
export function Busy({ text }: { text: string }) {
  return (
    <div class="device-link-busy" role="status" aria-busy="true">
      <progress class="progress" aria-label={text} />
      <p>{text}</p>
    </div>
  );
}
