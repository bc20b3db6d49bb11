// Import: onboard many people from an HR spreadsheet. Drop a CSV (UTF-8 or Shift_JIS) and the face
// photos (files or a folder, named by employee number or listed in a photo column), map the
// columns, check every row before anything is sent (problems inline, photo thumbnails), then run
// with a progress bar, Stop and Resume, and download the result as CSV (UTF-8 with BOM, for Excel).
// parsePeopleCsv and importPeople do the work; the photos stay File objects in the page.
import { importPeople, parsePeopleCsv } from "cyzen-senselink/import";
import { SenseLinkClient } from "cyzen-senselink/senselink";
import { csvText } from "./csv.js";
import { t } from "./i18n.js";
import { confirmDialog, errorBox, h, toast } from "./ui.js";

const $ = (id) => document.getElementById(id);

/** The columns the mapping offers (the library's names); labels come from i18n (`field.*`). */
const FIELDS = ["name", "jobNumber", "kind", "photo", "mobile", "remark", "icNumber", "departmentId", "groups", "mail", "position",
  "location", "birthday", "entryTime", "gender", "idNumber", "areaCode", "prompt", "receptionUserId", "dateTimeFrom", "dateTimeTo",
  "guestCompany", "guestPurpose", "level"];
const KIND_LABEL = { employee: "type.1", visitor: "type.2", denyList: "type.5" };

/** Every file under a dropped folder (or the file itself). */
async function filesOf(entry) {
  if (entry.isFile) return [await new Promise((resolve, reject) => entry.file(resolve, reject))];
  const reader = entry.createReader();
  const out = [];
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return out;
    for (const child of batch) out.push(...(await filesOf(child)));
  }
}

export function initImport(config) {
  const sl = new SenseLinkClient({ baseUrl: "/senselink", proxy: true, edition: config.senselink.edition, timeoutMs: 30_000 });
  const edition = config.senselink.edition ?? "cloud";
  // `live`: rows ended during the run in progress (the result comes when it ends).
  const state = { csv: null, photos: [], parsed: null, columns: {}, issues: new Map(), result: null, live: new Map(), running: null, urls: [], lookups: null };
  const errorArea = $("import-error");
  const table = $("import-table");
  const progress = $("import-progress");

  function showFiles() {
    const parts = [];
    if (state.csv) parts.push(t("import.csvChosen", { name: state.csv.name }));
    if (state.photos.length) parts.push(t("import.photosChosen", { count: state.photos.length }));
    $("import-files").textContent = parts.join(" · ");
  }

  /** Takes dropped or chosen files: a `.csv` is the spreadsheet, JPEG/PNG files are photos. */
  async function take(files) {
    const csv = files.find((f) => /\.csv$/i.test(f.name) || f.type === "text/csv");
    const photos = files.filter((f) => /\.(jpe?g|png)$/i.test(f.name) || /^image\/(jpeg|png)$/.test(f.type));
    if (csv) {
      state.csv = csv;
      state.columns = {};
    }
    if (photos.length) state.photos = photos;
    showFiles();
    await reparse();
  }

  /** Groups and departments, to accept their names in the CSV (once; without them, ids only). */
  async function lookups() {
    state.lookups ??= Promise.all([sl.groups.list().catch(() => []), sl.departments.list().catch(() => [])])
      .then(([groups, departments]) => ({ groups, departments }));
    return state.lookups;
  }

  /** Reads the CSV with the current options and mapping, then checks every row (nothing is sent). */
  async function reparse() {
    errorArea.replaceChildren();
    if (!state.csv) return;
    const { groups, departments } = await lookups();
    try {
      const bytes = new Uint8Array(await state.csv.arrayBuffer());
      state.parsed = parsePeopleCsv(bytes, {
        encoding: $("import-encoding").value, kind: $("import-kind").value, edition, groups, departments,
        photos: state.photos, columns: state.columns,
      });
    } catch (error) {
      state.parsed = null;
      $("import-preview").hidden = true;
      errorArea.replaceChildren(errorBox(error));
      // A header problem (no name column, two columns read as one field) is fixed in the mapping:
      // the error carries the header and what each column was read as.
      if (error?.field === "columns" && Array.isArray(error.header)) renderMapping(error.header, error.columns);
      else $("import-mapping").hidden = true;
      return;
    }
    state.result = null;
    state.live.clear();
    // Problems by row: the reading's, then the rules' (a dry run of importPeople sends nothing).
    const dry = await importPeople(sl, state.parsed.rows, { dryRun: true, edition });
    state.issues = new Map();
    for (const issue of [...state.parsed.issues, ...dry.issues]) {
      const list = state.issues.get(issue.row) ?? [];
      if (!list.some((i) => i.field === issue.field)) list.push(issue);
      state.issues.set(issue.row, list);
    }
    renderMapping(state.parsed.header, state.parsed.columns);
    $("import-preview").hidden = false;
    renderTable();
  }

  function renderMapping(header, columns) {
    const selects = header.map((text, index) => {
      const id = `import-col-${index}`;
      const select = h("select", { id, dataset: { header: text }, onchange: () => {
        state.columns = { ...state.columns, [text]: select.value || null };
        reparse();
      } },
      h("option", { value: "" }, t("import.ignore")),
      FIELDS.map((f) => h("option", { value: f, selected: columns[index] === f }, `${t(`field.${f}`)} (${f})`)));
      return h("div", { class: "field" }, h("label", { for: id }, text || `#${index + 1}`), select);
    });
    $("import-mapping").querySelector(".mapping").replaceChildren(...selects);
    $("import-mapping").hidden = false;
  }

  function statusCell(row) {
    const r = state.live.get(row) ?? state.result?.rows[row];
    if (!r) return "";
    if (r.status === "created") return t(r.recovered ? "import.recovered" : "import.created", { id: r.id });
    if (r.status === "skipped") return r.reason === "similarFace" ? t("import.skippedSimilar", { name: r.similarUserName ?? "?", id: r.similarUserId ?? "?" }) : t("import.skippedInvalid");
    if (r.status === "failed") return `${t("import.failed")}: ${r.error?.code ?? ""}`;
    return t("import.pending");
  }

  function renderTable() {
    for (const url of state.urls) URL.revokeObjectURL(url);
    state.urls = [];
    const { rows, lines } = state.parsed;
    // Name, problems and result first: on a narrow screen they are what shows before scrolling.
    const shown = ["jobNumber", "mobile", "remark"];
    const th = (text) => h("th", { scope: "col" }, text);
    table.tHead.replaceChildren(h("tr", {}, th(t("import.line")), th(t("form.photo")), th(t("field.name")), th(t("import.problems")),
      th(t("import.status")), th(t("people.type")), shown.map((f) => th(t(`field.${f}`)))));
    table.tBodies[0].replaceChildren(...rows.map((row, index) => {
      const problems = state.issues.get(index) ?? [];
      let thumb = h("span", { class: "no-photo" }, "—");
      if (row.avatar instanceof Blob) {
        const url = URL.createObjectURL(row.avatar);
        state.urls.push(url);
        thumb = h("img", { class: "thumb", src: url, alt: row.avatar.name ?? "", width: 40, height: 40, loading: "lazy" });
      }
      return h("tr", { class: problems.length ? "has-problems" : "", dataset: { row: String(index) } },
        h("td", {}, String(lines[index] ?? index + 1)),
        h("td", {}, thumb),
        h("td", {}, String(row.name ?? "")),
        h("td", { class: "problems" }, problems.length ? h("ul", {}, problems.map((p) => h("li", {}, `${t(`field.${p.field}`) === `field.${p.field}` ? p.field : t(`field.${p.field}`)}: ${p.message}`))) : ""),
        h("td", { class: "status" }, statusCell(index)),
        h("td", {}, KIND_LABEL[row.kind] ? t(KIND_LABEL[row.kind]) : String(row.kind)),
        shown.map((f) => h("td", {}, row[f] === undefined ? "" : String(row[f]))));
    }));
    const bad = state.issues.size;
    $("import-summary").textContent = t(bad ? "import.summaryProblems" : "import.summaryOk", { rows: rows.length, bad });
    updateButtons();
  }

  function updateButtons() {
    const running = state.running !== null;
    const result = state.result;
    const unfinished = result ? result.pending + result.failed : 0;
    const blocked = state.issues.size > 0 && !$("import-skip-invalid").checked;
    $("import-run").disabled = running || !state.parsed || state.parsed.rows.length === 0 || blocked || (result !== null && unfinished === 0);
    $("import-run").hidden = result !== null && unfinished > 0;
    $("import-resume").hidden = !(result !== null && unfinished > 0);
    $("import-resume").disabled = running;
    $("import-stop").hidden = !running;
    $("import-download").disabled = running || result === null;
  }

  // Similar faces, "ask": one question at a time, whatever the concurrency.
  let asking = Promise.resolve();
  function ask(row, error) {
    const question = asking.then(() => confirmDialog({
      title: t("form.similarTitle"),
      body: t("import.similarBody", { row: row.name, name: error.similarUserName ?? "?", id: error.similarUserId ?? "?" }),
      confirm: t("form.force"),
    }));
    asking = question.catch(() => {});
    return question.then((yes) => (yes ? "force" : "skip"));
  }

  async function run(resume) {
    const controller = new AbortController();
    state.running = controller;
    errorArea.replaceChildren();
    const bar = progress.querySelector("progress");
    const text = progress.querySelector("span");
    const total = state.parsed.rows.length;
    progress.hidden = false;
    const show = ({ done, created, skipped, failed }) => {
      bar.value = total ? done / total : 1;
      text.textContent = t("import.progress", { done, total, created, skipped, failed });
    };
    show({ done: resume ? resume.created + resume.skipped : 0, created: resume?.created ?? 0, skipped: resume?.skipped ?? 0, failed: 0 });
    updateButtons();
    const policy = $("import-similar").value;
    try {
      state.result = await importPeople(sl, state.parsed.rows, {
        edition, signal: controller.signal, resume, skipInvalid: $("import-skip-invalid").checked,
        similarFace: policy === "ask" ? ask : policy,
        onProgress: (p) => {
          show(p);
          state.live.set(p.row.row, p.row);
          const cell = table.querySelector(`tr[data-row="${p.row.row}"] .status`);
          if (cell) cell.textContent = statusCell(p.row.row);
        },
      });
      const r = state.result;
      const line = t(r.aborted ? "import.stopped" : "import.finished", { created: r.created, skipped: r.skipped, failed: r.failed, pending: r.pending });
      text.textContent = line;
      bar.value = (r.created + r.skipped + r.failed) / (r.total || 1);
      toast(line, r.failed || r.stoppedBy ? "error" : "ok");
      if (r.stoppedBy) errorArea.replaceChildren(errorBox(r.stoppedBy));
    } catch (error) {
      state.result = resume ?? null;
      errorArea.replaceChildren(errorBox(error));
    } finally {
      state.running = null;
      state.live.clear();
      renderTable();
    }
  }

  function download() {
    const { rows, lines } = state.parsed;
    const out = [["line", "kind", "name", "jobNumber", "status", "id", "code", "message"]];
    for (const r of state.result.rows) {
      const row = rows[r.row];
      const code = r.status === "failed" ? r.error?.code : r.status === "skipped" ? r.reason : "";
      const message = r.status === "failed" ? r.error?.message : r.status === "skipped" ? r.message : r.status === "created" && r.recovered ? "found after an unknown outcome" : "";
      out.push([lines[r.row], row.kind, row.name, row.jobNumber ?? "", r.status, r.status === "created" ? r.id : "", code ?? "", message ?? ""]);
    }
    // UTF-8 with a BOM, CRLF; formula-like cells neutralised (csv.js).
    const url = URL.createObjectURL(new Blob([csvText(out)], { type: "text/csv;charset=utf-8" }));
    const link = h("a", { href: url, download: `import-result-${new Date().toISOString().slice(0, 19).replaceAll(":", "")}.csv`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  const zone = $("import-drop");
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", async (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    const entries = [...(event.dataTransfer?.items ?? [])].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
    const files = entries.length ? (await Promise.all(entries.map(filesOf))).flat() : [...(event.dataTransfer?.files ?? [])];
    await take(files);
  });
  $("import-csv").addEventListener("change", (event) => take([...event.target.files]));
  $("import-photos").addEventListener("change", (event) => take([...event.target.files]));
  $("import-folder").addEventListener("change", (event) => take([...event.target.files]));
  $("import-kind").addEventListener("change", reparse);
  $("import-encoding").addEventListener("change", reparse);
  $("import-skip-invalid").addEventListener("change", updateButtons);
  $("import-run").addEventListener("click", () => run(undefined));
  $("import-resume").addEventListener("click", () => run(state.result));
  $("import-stop").addEventListener("click", () => state.running?.abort());
  $("import-download").addEventListener("click", download);

  if (!config.senselink.configured) {
    $("import-files").textContent = t("people.notConfigured");
    for (const id of ["import-csv", "import-photos", "import-folder", "import-run"]) $(id).disabled = true;
  }
  return {};
}
