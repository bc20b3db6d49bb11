// cyzen: sign in (the Worker runs the OAuth code flow and keeps the tokens in KV), browse spots,
// users, schedules and reports page by page with a progress indicator, and create or edit a spot.
// The client runs in proxy mode: no token and no company id in the page; it still paces (5 calls
// per second), retries and follows the cursors. The Worker adds the token and the company id.
import { InvalidInputError } from "cyzen-senselink/senselink";
import { t } from "./i18n.js";
import { clearFieldErrors, errorBox, field, h, showFormError, toast } from "./ui.js";

const $ = (id) => document.getElementById(id);
const ROWS = 50;
const DAY = 86_400_000;

const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
const when = (text) => (typeof text === "string" ? text.replace("T", " ").slice(0, 16) : "");

/**
 * The date window in a list filter or cursor (`YYYY-MM-DDThh:mm:ss`, UTC): reports and spots use
 * `updated_from`/`updated_to`, schedules and histories `from_date`/`to_date`. `null` when it has none.
 */
function windowOf(cursor) {
  for (const [from, to] of [["updated_from", "updated_to"], ["from_date", "to_date"]]) {
    if (typeof cursor?.[from] === "string" && typeof cursor?.[to] === "string") return { from: cursor[from], to: cursor[to] };
  }
  return null;
}
const utcMs = (text) => Date.parse(`${text.slice(0, 19)}Z`);

/** Columns per resource: [title key, value of an item]. */
const COLUMNS = {
  spots: [["col.name", (s) => s.spot_name], ["col.code", (s) => s.spot_code], ["col.address", (s) => s.address], ["col.updated", (s) => when(s.updated_at)]],
  users: [["col.name", (u) => u.user_name], ["col.login", (u) => u.user_login_id], ["col.code", (u) => u.user_code],
    ["col.groups", (u) => (u.groups ?? []).map((g) => g.group_name).join(", ")]],
  schedules: [["col.title", (s) => s.title], ["col.start", (s) => when(s.start_date)], ["col.end", (s) => when(s.end_date)],
    ["col.place", (s) => s.place?.spot_name ?? s.place?.address ?? ""]],
  reports: [["col.report", (r) => String(r.report_id ?? "").slice(0, 8)], ["col.definition", (r, names) => names.get(r.report_definition_id) ?? r.report_definition_id],
    ["col.user", (r) => r.user_name ?? r.user_id ?? ""], ["col.updated", (r) => when(r.updated_at)]],
};

export function initCyzen(config) {
  // The cyzen client (and its wasm) loads when this panel first needs it: a page that only
  // manages SenseLink people never downloads it. (The error classes are the same in every entry.)
  let made;
  const cyzenClient = () => (made ??= import("cyzen-senselink/cyzen").then(({ CyzenClient }) =>
    new CyzenClient({ baseUrl: "/cyzen", auth: { proxy: true } })));
  const state = { signedIn: false, items: [], resource: "spots", view: 0, loading: null, definitions: null, checked: false };
  const errorArea = $("cyzen-error");
  const form = $("cyzen-browse");

  function setDates(resource) {
    const now = Date.now();
    // Schedules: today (a day's plan); reports: the last 7 days (a 7-day server window, then today's rest).
    const [from, to] = resource === "schedules" ? [now, now] : [now - 7 * DAY, now];
    $("cyzen-from").value = isoDay(from);
    $("cyzen-to").value = isoDay(to);
    for (const el of form.querySelectorAll(".dates")) el.hidden = resource !== "schedules" && resource !== "reports";
    for (const el of form.querySelectorAll(".code")) el.hidden = resource !== "spots";
  }

  async function session() {
    const answer = await (await fetch("/cyzen/session", { cache: "no-store" })).json();
    state.signedIn = answer.signedIn;
    $("cyzen-state").textContent = !answer.configured ? t("cyzen.notConfigured") : answer.signedIn ? t("cyzen.signedIn") : t("cyzen.signedOut");
    $("cyzen-signin").hidden = !answer.configured || answer.signedIn;
    $("cyzen-signout").hidden = !answer.signedIn;
    $("cyzen-body").hidden = !answer.signedIn;
    if (answer.signedIn) showSync();
    return answer;
  }

  async function showSync() {
    const { sync } = await (await fetch("/sync/last", { cache: "no-store" })).json();
    const at = (ms) => new Date(ms).toLocaleString();
    $("sync-summary").textContent = !sync ? t("cyzen.syncNone")
      : sync.ok ? t("cyzen.syncOk", { reports: sync.reports, pages: sync.pages, from: when(sync.from), to: when(sync.to), source: sync.source, at: at(sync.at) })
      : t("cyzen.syncFailed", { at: at(sync.at), error: sync.error });
  }

  function render() {
    const columns = COLUMNS[state.resource];
    const head = h("tr", {}, columns.map(([key]) => h("th", { scope: "col" }, t(key))), state.resource === "spots" ? h("th", { scope: "col" }, t("col.actions")) : null);
    $("cyzen-table").tHead.replaceChildren(head);
    const rows = state.items.slice(state.view, state.view + ROWS).map((item) =>
      h("tr", { dataset: { id: String(item.spot_id ?? item.user_id ?? item.schedule_id ?? item.report_id ?? "") } },
        columns.map(([, value]) => h("td", {}, value(item, state.definitions ?? new Map()) ?? "")),
        state.resource === "spots"
          ? h("td", {}, h("button", { type: "button", dataset: { action: "edit-spot" }, "aria-label": `${t("people.edit")}: ${item.spot_name}`, onclick: () => openSpotForm(item) }, t("people.edit")))
          : null));
    $("cyzen-table").tBodies[0].replaceChildren(...rows);
    const total = state.items.length;
    $("cyzen-view").textContent = total ? t("cyzen.view", { from: state.view + 1, to: Math.min(total, state.view + ROWS), total }) : "";
    $("cyzen-prev").disabled = state.view === 0;
    $("cyzen-next").disabled = state.view + ROWS >= total;
  }

  function filterOf(resource) {
    const from = $("cyzen-from").value;
    const to = $("cyzen-to").value;
    if (resource === "reports") return { updated_from: `${from}T00:00:00`, updated_to: `${to}T23:59:59` };
    if (resource === "schedules") return { from_date: `${from}T00:00:00`, to_date: `${to}T23:59:59` };
    if (resource === "users") return { field: "all" };
    const code = $("cyzen-code").value.trim();
    return code ? { spot_code: code } : {};
  }

  async function load() {
    state.loading?.abort();
    const controller = new AbortController();
    state.loading = controller;
    const resource = form.resource.value;
    const limit = Number(form.limit.value);
    state.resource = resource;
    state.items = [];
    state.view = 0;
    errorArea.replaceChildren();
    $("cyzen-summary").textContent = "";
    const progress = $("cyzen-progress");
    const progressText = progress.querySelector("span");
    const progressBar = progress.querySelector("progress");
    progressBar.removeAttribute("value"); // indeterminate until a date window says how far the walk is
    progress.hidden = false;
    progressText.textContent = t("cyzen.progress", { pages: 1, items: 0 });
    $("cyzen-stop").hidden = false;
    $("cyzen-load").disabled = true;
    render();
    let pages = 0;
    let stopped = false;
    try {
      if (resource === "reports" && !state.definitions) {
        const definitions = await (await cyzenClient()).reportDefinitions.list({}, { signal: controller.signal }).toArray({ limit: 500 });
        state.definitions = new Map(definitions.map((d) => [d.report_definition_id, d.report_definition_name ?? d.report_definition_id]));
      }
      const filter = filterOf(resource);
      const range = windowOf(filter);
      // Long ranges are walked in the server's 7-day windows, many of them empty: name the window the
      // next page comes from (`next` is its cursor), so "page 10 · 0 items" does not look stuck.
      const onProgress = ({ pages: done, items, next }) => {
        const walking = windowOf(next);
        // `pages` counts the page being fetched; after the last one (`next` is null) none is.
        const vars = { pages: next ? done + 1 : done, items };
        if (!walking) {
          progressText.textContent = t("cyzen.progress", vars);
          if (!next && progressBar.hasAttribute("value")) progressBar.value = 1;
          return;
        }
        progressText.textContent = t("cyzen.progressWindow", { ...vars, from: walking.from.slice(0, 10), to: walking.to.slice(0, 10) });
        // How far through the requested dates the walk is; the bar stays indeterminate (moving) in
        // the first window, where a determinate one would sit at 0.
        const [start, end, at] = [range?.from, range?.to, walking.from].map((text) => (text ? utcMs(text) : NaN));
        if (end > start && at > start) {
          progressBar.max = 1;
          progressBar.value = Math.min(1, (at - start) / (end - start));
        }
      };
      const list = (await cyzenClient())[resource].list(filter, { signal: controller.signal, onProgress });
      for await (const page of list.pages()) {
        pages += 1;
        state.items.push(...page.items);
        render();
        if (state.items.length >= limit) {
          state.items.length = limit;
          stopped = true;
          break;
        }
      }
      $("cyzen-summary").textContent = state.items.length === 0 ? t("cyzen.empty")
        : stopped ? t("cyzen.limitReached", { items: state.items.length })
        : t(pages === 1 ? "cyzen.loadedOne" : "cyzen.loaded", { items: state.items.length, pages, s: state.items.length === 1 ? "" : "s" });
    } catch (error) {
      if (error?.code === "ABORTED") {
        $("cyzen-summary").textContent = t("cyzen.stopped", { items: state.items.length });
      } else {
        errorArea.replaceChildren(errorBox(error));
        if (error?.code === "CYZEN_UNAUTHORIZED") session();
      }
    } finally {
      if (state.loading === controller) {
        state.loading = null;
        progress.hidden = true;
        $("cyzen-stop").hidden = true;
        $("cyzen-load").disabled = false;
      }
      render();
    }
  }

  function openSpotForm(spot = null) {
    const dialog = $("edit-dialog");
    const input = (name, props = {}) => h("input", { id: `sf-${name}`, name, autocomplete: "off", value: spot?.[props.from ?? name] ?? "", ...props, from: undefined });
    const save = h("button", { type: "submit", class: "primary" }, t("form.save"));
    const spotForm = h("form", { class: "edit-form", novalidate: true, id: "spot-form" },
      h("h2", { id: "edit-title" }, spot ? t("spot.editTitle", { name: spot.spot_name }) : t("spot.addTitle")),
      field("spot.name", input("spot_name"), { required: true }),
      field("spot.kana", input("kana_name", { from: "spot_name_kana" })),
      field("spot.code", input("spot_code")),
      field("spot.address", input("address")),
      field("spot.tel", input("tel", { type: "tel" })),
      h("div", { class: "pair" },
        field("spot.lat", input("lat", { from: "latitude", inputmode: "decimal" })),
        field("spot.lon", input("lon", { from: "longitude", inputmode: "decimal" }))),
      field("spot.comment", h("textarea", { id: "sf-comment", name: "comment", rows: 2 }, spot?.comment ?? "")),
      h("div", { class: "form-error" }),
      h("div", { class: "buttons" }, h("button", { type: "button", onclick: () => dialog.close() }, t("form.cancel")), save));
    spotForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFieldErrors(spotForm);
      const data = Object.fromEntries(new FormData(spotForm));
      // Checked here before sending (the library leaves spot fields to the server).
      const fail = (name, message) => showFormError(spotForm, new InvalidInputError("INVALID_INPUT", `${name}: ${message}`, { field: name }));
      if (!data.spot_name.trim()) return fail("spot_name", t("spot.nameRequired"));
      for (const name of ["lat", "lon"]) if (data[name] !== "" && !Number.isFinite(Number(data[name]))) return fail(name, t("spot.number"));
      if ((data.lat === "") !== (data.lon === "")) return fail(data.lat === "" ? "lat" : "lon", t("spot.latLon"));
      const input = {};
      for (const [key, value] of Object.entries(data)) {
        const before = spot ? String(spot[{ kana_name: "spot_name_kana", lat: "latitude", lon: "longitude" }[key] ?? key] ?? "") : "";
        if (spot ? value !== before : value !== "") input[key] = key === "lat" || key === "lon" ? Number(value) : value;
      }
      save.disabled = true;
      try {
        if (spot) {
          if (Object.keys(input).length) await (await cyzenClient()).spots.update(spot.spot_id, input);
          toast(t("spot.updated", { name: data.spot_name }));
        } else {
          await (await cyzenClient()).spots.create(input);
          toast(t("spot.created", { name: data.spot_name }));
        }
        dialog.close();
        form.resource.value = "spots";
        setDates("spots");
        // Show the spot just written: by its code when it has one.
        $("cyzen-code").value = data.spot_code.trim();
        load();
      } catch (error) {
        showFormError(spotForm, error);
      } finally {
        save.disabled = false;
      }
    });
    dialog.replaceChildren(spotForm);
    dialog.showModal();
    spotForm.querySelector("#sf-spot_name").focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  form.resource.addEventListener("change", () => setDates(form.resource.value));
  $("cyzen-stop").addEventListener("click", () => state.loading?.abort());
  $("cyzen-prev").addEventListener("click", () => { state.view = Math.max(0, state.view - ROWS); render(); });
  $("cyzen-next").addEventListener("click", () => { state.view += ROWS; render(); });
  $("spot-new").addEventListener("click", () => openSpotForm());
  $("cyzen-signout").addEventListener("click", async () => {
    state.loading?.abort();
    await fetch("/cyzen/logout", { method: "POST" });
    state.items = [];
    render();
    toast(t("cyzen.signedOutDone"));
    await session();
  });
  setDates("spots");

  // Back from the sign-in: the Worker puts an error code in the URL when it failed.
  const params = new URLSearchParams(location.search);
  if (params.has("cyzen_error")) {
    const code = params.get("cyzen_error");
    errorArea.replaceChildren(errorBox(Object.assign(new Error(code), { code })));
    history.replaceState(null, "", `${location.pathname}${location.hash}`);
  }

  return {
    shown() {
      if (!state.checked) {
        state.checked = true;
        session().catch((error) => errorArea.replaceChildren(errorBox(error)));
      }
    },
    hidden() {
      state.loading?.abort();
    },
  };
}
