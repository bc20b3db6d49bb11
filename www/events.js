// Recent SenseLink push events, as the Worker's receiver stored them (polled while the panel is open).
import { t } from "./i18n.js";
import { errorBox, h } from "./ui.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 3000;

function describe(event) {
  const time = new Date((event.signTime ? event.signTime * 1000 : event.sendTime) || event.receivedAt).toLocaleString();
  if (event.eventType === "30000") {
    const who = event.person?.name ?? event.name ?? (event.userId ? `#${event.userId}` : t("events.stranger"));
    const direction = event.direction === 1 ? t("events.in") : event.direction === 2 ? t("events.out") : "";
    const type = event.person?.type ? t([1, 2, 5].includes(event.person.type) ? `type.${event.person.type}` : "type.other") : "";
    return [t("events.recognition"), who, [type, event.deviceName, direction, event.verifyScore ? `${Math.round(event.verifyScore * 100)}%` : ""].filter(Boolean).join(" · "), time];
  }
  if (event.eventType === "30100") return [t("events.alert"), event.deviceName ?? "", event.alertMessage ?? event.alertType ?? "", time];
  return [t("events.unknown", { type: event.rawEventType }), "", "", time];
}

export function initEvents() {
  const list = $("events-list");
  $("events-url").textContent = `${location.origin}/senselink/events`;
  let timer = null;

  async function refresh() {
    try {
      const { events } = await (await fetch("/events/recent", { cache: "no-store" })).json();
      $("events-error").replaceChildren();
      if (!events.length) {
        list.replaceChildren(h("li", { class: "empty" }, t("events.none")));
        return;
      }
      list.replaceChildren(...events.map((event) => {
        const [kind, who, detail, time] = describe(event);
        return h("li", { class: `event e${event.eventType}`, dataset: { messageId: event.messageId } },
          h("span", { class: "kind" }, kind),
          h("strong", { class: "who" }, who),
          h("span", { class: "detail" }, detail),
          h("time", {}, time));
      }));
    } catch (error) {
      $("events-error").replaceChildren(errorBox(error));
    }
  }

  function poll() {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (document.visibilityState === "visible") await refresh();
      if (timer !== null) poll();
    }, POLL_MS);
  }

  return {
    shown() {
      refresh();
      poll();
    },
    hidden() {
      clearTimeout(timer);
      timer = null;
    },
  };
}
