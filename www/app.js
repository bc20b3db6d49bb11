// The admin page: four panels over the cyzen-senselink package, which talks to SenseLink and cyzen
// through this page's Worker (same origin; the Worker holds every secret and token).
import { initCyzen } from "./cyzen.js";
import { initEvents } from "./events.js";
import { initImport } from "./import.js";
import { applyTo, currentLang, setLang, t } from "./i18n.js";
import { initPeople } from "./people.js";

const status = document.getElementById("app-status");
const panels = {};

function show(name) {
  if (!panels[name]) name = "people";
  for (const [key, panel] of Object.entries(panels)) {
    const active = key === name;
    document.getElementById(`panel-${key}`).hidden = !active;
    const tab = document.getElementById(`tab-${key}`);
    tab.setAttribute("aria-selected", String(active));
    if (active) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
    if (active) panel.shown?.();
    else panel.hidden?.();
  }
}

async function start() {
  applyTo();
  document.getElementById("lang").addEventListener("click", () => {
    setLang(currentLang() === "ja" ? "en" : "ja");
    location.reload();
  });
  const config = await (await fetch("/app/config", { cache: "no-store" })).json();
  if (!config.session) {
    status.textContent = t("app.noSession");
    return;
  }
  status.hidden = true;
  panels.people = initPeople(config);
  panels.import = initImport(config);
  panels.cyzen = initCyzen(config);
  panels.events = initEvents(config);
  addEventListener("hashchange", () => show(location.hash.slice(1)));
  show(location.hash.slice(1));
  document.body.dataset.ready = "true";
}

start().catch((error) => {
  status.hidden = false;
  status.textContent = String(error?.message ?? error);
});
