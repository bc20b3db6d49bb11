// Add or edit a SenseLink person: a form in a modal dialog with a face photo chosen or dropped (and
// previewed). Every check happens in the library before anything is sent — required fields,
// lengths, date formats, photo size and format — and its InvalidInputError is shown next to the
// field it names. A "similar person" answer is offered as "Register anyway" (force).
import { t } from "./i18n.js";
import { clearFieldErrors, field, h, localDateTime, senseLinkDateTime, showFormError, toast } from "./ui.js";

const FIELD_MAP = { groups: "group" };

function input(name, props = {}) {
  return h("input", { id: `pf-${name}`, name, autocomplete: "off", ...props });
}

function groupSelect(groups, selected) {
  return h("select", { id: "pf-group", name: "group" },
    h("option", { value: "" }, t("people.noGroup")),
    groups.map((g) => h("option", { value: String(g.id), selected: String(g.id) === String(selected ?? "") }, g.name)));
}

function megabytes(bytes) {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function photoField(state, editing) {
  const preview = h("img", { id: "pf-preview", class: "preview", alt: t("form.photo"), hidden: true });
  const noPreview = h("p", { class: "hint", hidden: true }, t("form.noPreview"));
  preview.addEventListener("error", () => {
    if (!preview.getAttribute("src")) return;
    preview.hidden = true;
    noPreview.hidden = false;
  });
  const info = h("p", { class: "photo-info", id: "pf-photo-info" });
  const file = h("input", { type: "file", id: "pf-avatar", name: "avatar", accept: "image/jpeg,image/png", "aria-describedby": "err-pf-avatar pf-photo-hint" });
  const remove = h("button", { type: "button", class: "quiet", hidden: true, onclick: () => use(null) }, t("form.photoRemove"));
  const zone = h("div", { class: "dropzone", id: "pf-drop" },
    preview,
    h("div", {}, h("p", {}, t("form.drop")), file, info, noPreview, remove));
  function use(chosen) {
    if (state.previewUrl) URL.revokeObjectURL(state.previewUrl);
    state.photo = chosen;
    state.previewUrl = chosen ? URL.createObjectURL(chosen) : null;
    preview.hidden = !chosen;
    noPreview.hidden = true;
    remove.hidden = !chosen;
    if (chosen) preview.src = state.previewUrl;
    else {
      preview.removeAttribute("src");
      file.value = "";
    }
    info.textContent = chosen ? `${chosen.name ?? "photo"} · ${megabytes(chosen.size)}` : "";
    zone.closest("form")?.querySelector('.field-error[data-for="avatar"]')?.replaceChildren();
  }
  file.addEventListener("change", () => use(file.files[0] ?? null));
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    const dropped = event.dataTransfer?.files?.[0];
    if (!dropped) return;
    try {
      file.files = event.dataTransfer.files; // the input then names the dropped file too
    } catch {
      // Some browsers keep an input's files read-only; the dropped file is used all the same.
    }
    use(dropped);
  });
  return h("div", { class: "field photo-field" },
    h("label", { for: "pf-avatar" }, t("form.photo")),
    zone,
    h("p", { class: "hint", id: "pf-photo-hint" }, t("form.photoHint"), editing ? ` ${t("form.keepPhoto")}` : ""),
    h("p", { class: "field-error", id: "err-pf-avatar", dataset: { for: "avatar" }, "aria-live": "polite" }));
}

/**
 * Opens the form. `person` (with `groups` filled) edits; without it, adds an employee or visitor.
 * `groups` is every SenseLink group; `onSaved(person)` runs after a successful save.
 */
export function openPersonForm({ sl, person = null, groups, avatarUrl = null, onSaved }) {
  const dialog = document.getElementById("edit-dialog");
  const state = { photo: null, previewUrl: null, kind: person ? ({ 1: "employee", 2: "visitor", 5: "deny" }[person.type] ?? "employee") : "employee" };
  const currentGroup = person?.groups?.[0]?.id;
  const groupsOf = (...types) => groups.filter((g) => types.includes(g.type));
  const kindRadios = person ? null : h("fieldset", { class: "kind" },
    h("legend", {}, t("form.kind")),
    ["employee", "visitor"].map((kind) => h("label", {},
      h("input", { type: "radio", name: "kind", value: kind, checked: kind === state.kind, onchange: () => setKind(kind) }),
      ` ${t(kind === "employee" ? "type.1" : "type.2")}`)));

  const employeeFields = h("div", { class: "group-fields", dataset: { kind: "employee" } },
    field("form.jobNumber", input("jobNumber", { value: person?.jobNumber ?? "" })),
    field("form.icNumber", input("icNumber", { value: person?.icNumber ?? "" })),
    field("form.mobile", input("mobile", { type: "tel", value: person?.mobile ?? "" })),
    field("form.group", groupSelect(groupsOf(1), currentGroup)));
  const visitorFields = h("div", { class: "group-fields", dataset: { kind: "visitor" } },
    field("form.mobile", input("mobile", { id: "pf-vmobile", type: "tel", value: person?.mobile ?? "" }), { required: true }),
    field("form.reception", input("receptionUserId", { inputmode: "numeric", value: person?.receptionUserId || "" }), { required: true }),
    field("form.from", input("dateTimeFrom", { type: "datetime-local", value: localDateTime(person?.dateTimeFrom) }), { required: true }),
    field("form.to", input("dateTimeTo", { type: "datetime-local", value: localDateTime(person?.dateTimeTo) }), { required: true }),
    field("form.group", groupSelect(groupsOf(2), currentGroup)));
  const denyFields = h("div", { class: "group-fields", dataset: { kind: "deny" } },
    field("form.mobile", input("mobile", { id: "pf-dmobile", type: "tel", value: person?.mobile ?? "" })),
    field("form.group", groupSelect(groupsOf(3, 5), currentGroup)));
  const similar = h("div", { class: "similar", role: "alert", hidden: true });
  const save = h("button", { type: "submit", class: "primary" }, t("form.save"));
  const form = h("form", { class: "edit-form", novalidate: true, id: "person-form" },
    h("h2", { id: "edit-title" }, person ? t("form.editTitle", { name: person.name }) : t("form.addTitle")),
    kindRadios,
    photoField(state, Boolean(person)),
    field("form.name", input("name", { value: person?.name ?? "", autocomplete: "name" }), { required: true }),
    employeeFields, visitorFields, denyFields,
    field("form.remark", h("textarea", { id: "pf-remark", name: "remark", rows: 2 }, person?.remark ?? "")),
    similar,
    h("div", { class: "form-error" }),
    h("div", { class: "buttons" },
      h("button", { type: "button", onclick: () => dialog.close() }, t("form.cancel")),
      save));

  function setKind(kind) {
    state.kind = kind;
    for (const section of form.querySelectorAll(".group-fields")) {
      const active = section.dataset.kind === kind;
      section.hidden = !active;
      // Inactive sections' controls are disabled, so names shared between sections are unambiguous.
      for (const control of section.querySelectorAll("input, select")) control.disabled = !active;
    }
    clearFieldErrors(form);
    similar.hidden = true;
  }
  setKind(state.kind);

  const value = (name) => form.querySelector(`[name="${name}"]:not(:disabled)`)?.value ?? "";
  function collect() {
    const group = value("group");
    // An unchanged group selection keeps every group the person has (the form shows the first).
    const groupIds = person && group === String(currentGroup ?? "")
      ? (person.groups ?? []).map((g) => g.id)
      : group ? [Number(group)] : [];
    const common = { name: value("name").trim(), remark: value("remark") };
    if (state.photo) common.avatar = state.photo;
    if (state.kind === "employee") {
      return { ...common, jobNumber: value("jobNumber"), icNumber: value("icNumber"), mobile: value("mobile"), groups: groupIds };
    }
    if (state.kind === "visitor") {
      return {
        ...common, mobile: value("mobile"), groups: groupIds,
        receptionUserId: value("receptionUserId").trim() || undefined,
        dateTimeFrom: senseLinkDateTime(value("dateTimeFrom")) || undefined,
        dateTimeTo: senseLinkDateTime(value("dateTimeTo")) || undefined,
      };
    }
    return { ...common, mobile: value("mobile"), groups: groupIds };
  }

  // Edits send what changed, plus what the endpoint requires every time (visitors: name, groups,
  // reception and visit window; the deny list: name and groups, since omitted groups mean none).
  const REQUIRED = { employee: [], visitor: ["name", "groups", "receptionUserId", "dateTimeFrom", "dateTimeTo"], deny: ["name", "groups"] };
  function changesOnly(input) {
    const out = {};
    for (const [key, val] of Object.entries(input)) {
      const before = key === "groups" ? (person.groups ?? []).map((g) => g.id) : person[key];
      const same = key === "groups" ? JSON.stringify(val) === JSON.stringify(before) : String(val ?? "") === String(before ?? "");
      if (!same || REQUIRED[state.kind].includes(key) || key === "avatar" || key === "force") out[key] = val;
    }
    return out;
  }

  function send(input) {
    const api = { employee: sl.employees, visitor: sl.visitors, deny: sl.denyList }[state.kind];
    if (!person) return api.create(input);
    const changes = changesOnly(input);
    // Nothing changed: nothing to send.
    if (Object.keys(changes).every((key) => key === "force")) return Promise.resolve(person);
    return api.update(person.id, changes);
  }

  async function submit(force = false) {
    clearFieldErrors(form);
    similar.hidden = true;
    const input = collect();
    if (force) input.force = true;
    save.disabled = true;
    save.textContent = t("form.saving");
    try {
      const saved = await send(input);
      dialog.close();
      toast(person ? t("form.updated", { name: saved.name }) : t("form.added", { name: saved.name, id: saved.id }));
      onSaved?.(saved);
    } catch (error) {
      if (error?.code === "SENSELINK_SIMILAR_PERSON") {
        const photo = avatarUrl && error.similarUserAvatar
          ? h("img", { class: "similar-photo", src: avatarUrl.replace("{avatar}", encodeURIComponent(error.similarUserAvatar)),
            alt: t("form.similarPhoto", { name: error.similarUserName ?? "" }), width: 72, height: 72 })
          : null;
        similar.replaceChildren(
          h("h3", {}, t("form.similarTitle")),
          photo,
          h("p", {}, t("form.similarBody", { name: error.similarUserName ?? "?", id: error.similarUserId ?? "?" })),
          error.canForce === false ? null : h("button", { type: "button", class: "primary", dataset: { action: "force" }, onclick: () => submit(true) }, t("form.force")),
          h("details", {}, h("summary", {}, t("error.details")), h("code", { class: "error-code" }, error.code), ` ${error.message}`));
        similar.hidden = false;
        similar.querySelector("button")?.focus();
      } else {
        showFormError(form, error, FIELD_MAP);
      }
    } finally {
      save.disabled = false;
      save.textContent = t("form.save");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  dialog.addEventListener("close", () => {
    if (state.previewUrl) URL.revokeObjectURL(state.previewUrl);
  }, { once: true });
  dialog.replaceChildren(form);
  dialog.showModal();
  form.querySelector(person ? "#pf-name" : "input[name=kind]:checked")?.focus();
}
