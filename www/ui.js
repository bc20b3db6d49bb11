// Small DOM helpers shared by the panels: an element builder, toasts, a confirmation dialog, field
// errors next to inputs, and plain-language error boxes (with the code in a details element).
import { CyzenSenseLinkError, InvalidInputError } from "cyzen-senselink/senselink";
import { friendly } from "./errors.js";
import { t } from "./i18n.js";

/** `h("button", { class: "x", onclick }, "text", child)`: builds an element. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A short message in the corner (`kind`: "ok" or "error"). */
export function toast(message, kind = "ok") {
  const box = document.getElementById("toasts");
  const item = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" }, message);
  box.append(item);
  setTimeout(() => item.remove(), 6000);
}

/** Asks for confirmation in a modal dialog; resolves true when confirmed. `body` is text or a node. */
export function confirmDialog({ title, body, confirm, danger = false }) {
  const dialog = document.getElementById("confirm-dialog");
  dialog.querySelector("h2").textContent = title;
  dialog.querySelector(".body").replaceChildren(body);
  const ok = dialog.querySelector("[value=confirm]");
  ok.textContent = confirm;
  ok.className = danger ? "danger" : "primary";
  dialog.querySelector("[value=cancel]").textContent = t("form.cancel");
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
  });
}

/** The plain-language explanation of an error, with its code and message under "Details". */
export function errorBox(error) {
  const { text, code } = friendly(error);
  const details = [];
  if (error instanceof CyzenSenseLinkError) {
    details.push(h("p", {}, h("strong", {}, `${t("error.code")}: `), h("code", { class: "error-code" }, code), error.status ? ` (HTTP ${error.status})` : ""));
    details.push(h("p", { class: "error-message" }, error.message));
  } else {
    details.push(h("p", { class: "error-message" }, String(error?.message ?? error)));
  }
  return h("div", { class: "error-box", role: "alert" }, h("p", {}, text), h("details", {}, h("summary", {}, t("error.details")), ...details));
}

/** Clears the field errors of a form. */
export function clearFieldErrors(form) {
  for (const el of form.querySelectorAll(".field-error")) el.textContent = "";
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const general = form.querySelector(".form-error");
  if (general) general.replaceChildren();
}

/**
 * Shows an error where it belongs: an `INVALID_INPUT` (or any error naming a `field`) next to the
 * input of that name, with the library's message; anything else in the form's general area.
 * `fieldMap` maps library field names to input names when they differ. Returns the input, if any.
 */
export function showFormError(form, error, fieldMap = {}) {
  // INVALID_INPUT lists every problem (`issues`): each goes next to its own field at once.
  const issues = error instanceof InvalidInputError && Array.isArray(error.issues) && error.issues.length > 0
    ? error.issues
    : [{ field: error?.field, message: error?.message ?? "" }];
  let first = null;
  let shown = 0;
  for (const issue of issues) {
    const field = issue.field ? (fieldMap[issue.field] ?? issue.field) : null;
    // Sections not in use are hidden (and their controls disabled): use the visible slot.
    const slot = field ? [...form.querySelectorAll(`.field-error[data-for="${CSS.escape(field)}"]`)].find((s) => !s.closest("[hidden]")) : null;
    if (!slot) continue;
    shown += 1;
    // The library's message ("avatar: is 5.0 MB …; the limit is 4 MB …"), named by the visible label.
    const label = slot.closest(".field")?.querySelector("label")?.firstChild?.textContent?.trim();
    const rule = issue.message.replace(/^[\w.[\]]+: /, "");
    slot.textContent = error instanceof InvalidInputError ? `${label ?? field}: ${rule}` : `${friendly(error).text} ${error.message}`;
    slot.dataset.code = error.code ?? "";
    const input = form.querySelector(`[name="${CSS.escape(field)}"]:not(:disabled)`);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      first ??= input;
    }
  }
  if (shown === 0) {
    form.querySelector(".form-error").replaceChildren(errorBox(error));
    return null;
  }
  first?.focus();
  return first;
}

/** A `<label>` around text and a control, with an error slot under it. */
export function field(labelKey, control, { required = false, hint } = {}) {
  const name = control.getAttribute("name");
  const errorId = `err-${control.id || name}`;
  control.setAttribute("aria-describedby", errorId);
  // Editing a field clears what was said about it.
  control.addEventListener("input", () => {
    control.removeAttribute("aria-invalid");
    document.getElementById(errorId)?.replaceChildren();
  });
  return h("div", { class: "field" },
    h("label", { for: control.id }, t(labelKey), required ? h("span", { class: "req" }, ` (${t("form.required")})`) : null),
    control,
    hint ? h("p", { class: "hint" }, hint) : null,
    h("p", { class: "field-error", id: errorId, dataset: { for: name }, "aria-live": "polite" }));
}

/** `YYYY-MM-DDThh:mm` (datetime-local) → `YYYY-MM-DD hh:mm:ss`; `""` stays `""`. */
export function senseLinkDateTime(value) {
  if (!value) return "";
  return `${value.replace("T", " ")}${value.length === 16 ? ":00" : ""}`;
}

/** `YYYY-MM-DD hh:mm:ss` → `YYYY-MM-DDThh:mm` (for datetime-local). */
export function localDateTime(value) {
  return value ? value.replace(" ", "T").slice(0, 16) : "";
}
