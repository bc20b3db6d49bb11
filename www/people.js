// SenseLink people: a searchable, paged list of employees, visitors and the deny list, with add,
// edit, delete and deny-list moves. The client runs in proxy mode: unsigned requests to this
// origin's /senselink, where the Worker signs them. The page never holds the SenseLink secret.
import { SenseLinkClient } from "cyzen-senselink/senselink";
import { t } from "./i18n.js";
import { openPersonForm } from "./person-form.js";
import { confirmDialog, errorBox, h, toast } from "./ui.js";

const $ = (id) => document.getElementById(id);

export function initPeople(config) {
  const sl = new SenseLinkClient({ baseUrl: "/senselink", proxy: true, edition: config.senselink.edition, timeoutMs: 30_000 });
  const state = { page: 1, nextPage: null, filter: { type: "", name: "", size: 20 }, groups: null, loaded: false, busy: null };
  const list = $("people-list");
  const status = $("people-status");
  const errorArea = $("people-error");

  async function groups() {
    state.groups ??= await sl.groups.list();
    return state.groups;
  }

  function typeName(type) {
    return t([1, 2, 5].includes(type) ? `type.${type}` : "type.other");
  }

  function avatar(person) {
    const template = config.senselink.avatarUrl;
    if (template && person.avatar) {
      return h("img", { class: "avatar", alt: "", loading: "lazy", width: 48, height: 48, src: template.replace("{avatar}", encodeURIComponent(person.avatar)) });
    }
    const initials = [...person.name.replace(/\s+/g, "")].slice(0, 2).join("");
    return h("span", { class: "avatar initials", "aria-hidden": "true" }, initials);
  }

  function meta(person) {
    const parts = [`#${person.id}`];
    if (person.jobNumber) parts.push(person.jobNumber);
    if (person.mobile) parts.push(person.mobile);
    if (person.type === 2 && person.dateTimeFrom) parts.push(`${person.dateTimeFrom.slice(0, 16)} – ${(person.dateTimeTo ?? "").slice(0, 16)}`);
    if (person.type === 5 && [1, 2].includes(person.lastType)) parts.push(`← ${typeName(person.lastType)}`);
    return parts.join(" · ");
  }

  function card(person, added) {
    const button = (action, label, handler, extra = {}) =>
      h("button", { type: "button", dataset: { action }, "aria-label": `${label}: ${person.name}`, onclick: () => handler(person), ...extra }, label);
    const actions = [button("edit", t("people.edit"), edit)];
    if (person.type === 1 || person.type === 2) actions.push(button("move-in", t("people.moveIn"), moveIn));
    if (person.type === 5 && [1, 2].includes(person.lastType)) actions.push(button("move-out", t("people.moveOut"), moveOut));
    actions.push(button("delete", t("people.delete"), remove, { class: "danger" }));
    // The person just added: highlighted (briefly, by colour) and badged (in words, until the next reload).
    return h("li", { class: added ? "person added" : "person", dataset: { personId: String(person.id), type: String(person.type) } },
      avatar(person),
      h("div", { class: "who" },
        h("p", {}, h("strong", { class: "name" }, person.name), " ", h("span", { class: `badge t${person.type}` }, typeName(person.type)),
          added ? [" ", h("span", { class: "badge new" }, t("people.added"))] : null),
        h("p", { class: "meta" }, meta(person))),
      h("div", { class: "actions" }, actions));
  }

  /**
   * Takes the "Added" mark off the rows shown: it names the person of the last add, so it goes as
   * soon as the list is reloaded (another add, a search, an edit), not when the new rows arrive —
   * until then it would name the previous person under the toast of the next one.
   */
  function unmark() {
    for (const badge of list.querySelectorAll(".badge.new")) {
      if (badge.previousSibling?.nodeType === Node.TEXT_NODE) badge.previousSibling.remove();
      badge.remove();
    }
    for (const row of list.querySelectorAll("li.person.added")) row.classList.remove("added");
  }

  /**
   * Shows `page` of the current search; `added` marks that person's row. Resolves with the page,
   * or null when a newer load replaced this one (its request is then cancelled, and an answer that
   * still arrives is dropped: only the newest load ever writes the list).
   */
  async function load(page = state.page, { added = null } = {}) {
    state.busy?.abort();
    const controller = new AbortController();
    state.busy = controller;
    unmark();
    errorArea.replaceChildren();
    status.textContent = t("people.loading");
    list.setAttribute("aria-busy", "true");
    const filter = { page, size: Number(state.filter.size) };
    if (state.filter.type) filter.type = Number(state.filter.type);
    if (state.filter.name.trim()) filter.name = state.filter.name.trim();
    let result = null;
    try {
      result = await sl.persons.list(filter, { signal: controller.signal });
      if (state.busy !== controller) return null; // a newer load started meanwhile
      state.page = result.page;
      state.nextPage = result.nextPage;
      list.replaceChildren(...result.items.map((person) => card(person, person.id === added)));
      const count = result.items.length;
      status.textContent = count === 0 ? t("people.none") : t(count === 1 ? "people.countOne" : "people.count", { page: result.page, count });
    } catch (error) {
      if (state.busy !== controller) return null; // cancelled by a newer load
      list.replaceChildren();
      status.textContent = "";
      errorArea.replaceChildren(errorBox(error));
    } finally {
      if (state.busy === controller) list.removeAttribute("aria-busy");
    }
    $("people-page").textContent = t("people.pageOf", { page: state.page });
    $("people-prev").disabled = state.page <= 1;
    $("people-next").disabled = state.nextPage === null;
    state.loaded = true;
    return result;
  }

  /**
   * After an add: searches for the new person by name (and by type, unless the type filter already
   * lets them through), so their row is on screen whatever was listed before, then scrolls to it.
   * The list is ordered by id, so a new person comes after any namesakes, maybe on a later page.
   */
  async function reveal(person) {
    const type = state.filter.type === "" || state.filter.type === String(person.type) ? state.filter.type : "";
    state.filter = { ...state.filter, type, name: person.name };
    $("people-type").value = type;
    $("people-name").value = person.name;
    let page = 1;
    let result = null;
    for (let tries = 0; tries < 20; tries += 1) {
      result = await load(page, { added: person.id });
      if (!result || result.nextPage === null || result.items.some((p) => p.id === person.id)) break;
      page = result.nextPage;
    }
    // Replaced by a newer search or add (or failed): the list is not this person's to scroll.
    if (!result) return;
    const row = list.querySelector(`li[data-person-id="${CSS.escape(String(person.id))}"]`);
    const still = matchMedia("(prefers-reduced-motion: reduce)").matches;
    row?.scrollIntoView({ block: "center", behavior: still ? "auto" : "smooth" });
  }

  async function edit(person) {
    try {
      // A single match carries the person's groups (a page of several does not).
      const [full] = (await sl.persons.list({ id: person.id })).items;
      openPersonForm({ sl, person: full ?? person, groups: await groups(), avatarUrl: config.senselink.avatarUrl, onSaved: () => load() });
    } catch (error) {
      errorArea.replaceChildren(errorBox(error));
    }
  }

  async function remove(person) {
    const ok = await confirmDialog({
      title: t("people.deleteTitle", { name: person.name }),
      body: t("people.deleteBody", { name: person.name, id: person.id }),
      confirm: t("people.delete"),
      danger: true,
    });
    if (!ok) return;
    try {
      const api = { 1: sl.employees, 2: sl.visitors, 5: sl.denyList }[person.type] ?? sl.employees;
      await api.delete(person.id);
      toast(t("people.deleted", { name: person.name }));
      await load();
    } catch (error) {
      errorArea.replaceChildren(errorBox(error));
    }
  }

  async function moveIn(person) {
    let select;
    try {
      const denyGroups = (await groups()).filter((g) => g.type === 3 || g.type === 5);
      select = h("select", { id: "deny-group", name: "denyGroup" },
        h("option", { value: "" }, t("people.noGroup")),
        denyGroups.map((g, i) => h("option", { value: String(g.id), selected: i === 0 }, g.name)));
    } catch (error) {
      errorArea.replaceChildren(errorBox(error));
      return;
    }
    const body = h("div", {}, h("p", {}, h("label", { for: "deny-group" }, t("people.moveInBody"))), select);
    const ok = await confirmDialog({ title: t("people.moveInTitle", { name: person.name }), body, confirm: t("people.moveIn"), danger: true });
    if (!ok) return;
    try {
      await sl.denyList.moveIn(person.id, select.value ? [Number(select.value)] : []);
      toast(t("people.movedIn", { name: person.name }));
      await load();
    } catch (error) {
      errorArea.replaceChildren(errorBox(error));
    }
  }

  async function moveOut(person) {
    const ok = await confirmDialog({
      title: t("people.moveOutTitle", { name: person.name }),
      body: t("people.moveOutBody", { type: typeName(person.lastType) }),
      confirm: t("people.moveOut"),
    });
    if (!ok) return;
    try {
      await sl.denyList.moveOut(person.id);
      toast(t("people.movedOut", { name: person.name }));
      await load();
    } catch (error) {
      errorArea.replaceChildren(errorBox(error));
    }
  }

  $("people-search").addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    state.filter = { type: data.get("type"), name: data.get("name"), size: data.get("size") };
    load(1);
  });
  $("people-size").addEventListener("change", () => $("people-search").requestSubmit());
  $("people-type").addEventListener("change", () => $("people-search").requestSubmit());
  $("people-prev").addEventListener("click", () => load(Math.max(1, state.page - 1)));
  $("people-next").addEventListener("click", () => state.nextPage && load(state.nextPage));
  $("add-person").addEventListener("click", async () => {
    try {
      openPersonForm({ sl, groups: await groups(), avatarUrl: config.senselink.avatarUrl, onSaved: (person) => reveal(person) });
    } catch (error) {
      errorArea.replaceChildren(errorBox(error));
    }
  });

  if (!config.senselink.configured) {
    status.textContent = t("people.notConfigured");
    for (const id of ["add-person", "people-prev", "people-next"]) $(id).disabled = true;
    $("people-search").querySelector("button[type=submit]").disabled = true;
    return {};
  }

  return {
    shown() {
      if (!state.loaded) load(1);
    },
  };
}
