/**
 * Bulk onboarding: {@link importPeople} registers hundreds of employees, visitors or deny-list
 * persons with their face photos — every row checked first with the single calls' own rules,
 * bounded concurrency, progress, similar-face policy, and a result that resumes without registering
 * anyone twice — and {@link parsePeopleCsv} reads the HR spreadsheet (UTF-8 or Shift_JIS CSV, Japanese
 * or API headers) and matches the photos to its rows.
 *
 * Photos stay JavaScript objects: a `Blob`/`File` goes into the runtime's `FormData` as it is, and
 * only its first 16 bytes are read for the format check, so no photo enters WebAssembly memory.
 */
import { CyzenSenseLinkError, invalidInput, makeError, type InputIssue, type SenseLinkError } from "./errors.js";
import { senselinkWasm } from "./instance.js";
import type {
  DenyListInput,
  EmployeeInput,
  Person,
  PersonFilter,
  SenseLinkClient,
  SenseLinkDepartment,
  SenseLinkEdition,
  SenseLinkGroup,
  VisitorInput,
} from "./senselink.js";

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** Who a row registers: an employee (`employees.create`), a visitor (`visitors.create`) or a
 * deny-list person (`denyList.create`). */
export type ImportKind = "employee" | "visitor" | "denyList";

/**
 * One person to register: `kind` plus exactly the fields of the matching single-person create
 * call (the same rules apply), with the face photo in `avatar`.
 * @example
 * const row: ImportRow = { kind: "employee", name: "佐藤 太郎", jobNumber: "E0001", groups: [1], avatar: file };
 */
export type ImportRow =
  | ({ readonly kind: "employee" } & EmployeeInput)
  | ({ readonly kind: "visitor" } & VisitorInput)
  | ({ readonly kind: "denyList" } & DenyListInput);

/** A problem of one row, found before anything was sent. */
export interface ImportIssue extends InputIssue {
  /** Index of the row in `rows` (0-based). */
  readonly row: number;
}

/** A row registered: `id` is the new person's. */
export interface ImportCreated {
  /** Index of the row in `rows`. */
  readonly row: number;
  /** Discriminant. */
  readonly status: "created";
  /** The person's id. */
  readonly id: number;
  /** Registered with `force: true` after a similar-face answer. */
  readonly forced: boolean;
  /** Found by a look-up after a create whose outcome was unknown (a dropped connection, a
   * timeout, an abort): the person was registered by that earlier attempt (or already existed
   * with the same employee number and name), and was not sent again. */
  readonly recovered: boolean;
}

/** A row left out on purpose. */
export interface ImportSkipped {
  /** Index of the row in `rows`. */
  readonly row: number;
  /** Discriminant. */
  readonly status: "skipped";
  /** `"similarFace"`: SenseLink found a similar registered face and the policy said skip;
   * `"invalid"`: the row broke a rule and `skipInvalid` was set. */
  readonly reason: "similarFace" | "invalid";
  /** Why, in words. */
  readonly message: string;
  /** `"similarFace"`: the similar person's id. */
  readonly similarUserId: number | null;
  /** `"similarFace"`: the similar person's name. */
  readonly similarUserName: string | null;
}

/**
 * Whom a row without an employee number was forced past (`similarFace: "force"` or a function that
 * said so): kept on a `failed` or `pending` row whose forced create may have registered the person,
 * so that a resume can tell the person that create registered from the ones that were there before.
 */
export interface ImportForcedPast {
  /** The similar person's id, from SenseLink's refusal of the first (unforced) create. */
  readonly similarUserId: number | null;
  /** The similar person's name, from the same refusal. */
  readonly similarUserName: string | null;
  /** Ids of the persons with the row's name (and type, and `mobile` when given) registered just
   * before the forced create was sent. */
  readonly namesakes: readonly number[];
}

/** A row that could not be registered. */
export interface ImportFailed {
  /** Index of the row in `rows`. */
  readonly row: number;
  /** Discriminant. */
  readonly status: "failed";
  /** The typed error (`SENSELINK_FACE_REJECTED`, `SENSELINK_INVALID_PARAM`, `NETWORK`…). */
  readonly error: CyzenSenseLinkError;
  /** The create may have reached the server and the look-up could not settle it: a resume looks
   * the person up again before sending the row. */
  readonly uncertain: boolean;
  /** The row was forced past a similar face (no employee number): whom, for the resume. */
  readonly forcedPast?: ImportForcedPast;
}

/** A row not finished: not sent yet, or interrupted (an abort, a stop). */
export interface ImportPending {
  /** Index of the row in `rows`. */
  readonly row: number;
  /** Discriminant. */
  readonly status: "pending";
  /** A create was in flight when the import stopped: a resume looks the person up first. */
  readonly uncertain: boolean;
  /** The row was forced past a similar face (no employee number): whom, for the resume. */
  readonly forcedPast?: ImportForcedPast;
}

/** How one row ended. */
export type ImportRowResult = ImportCreated | ImportSkipped | ImportFailed | ImportPending;

/** Every row's status, its issues, and the counts. Pass it back as `resume` to finish an import. */
export interface ImportResult {
  /** Number of rows. */
  readonly total: number;
  /** Rows registered (this run and earlier ones). */
  readonly created: number;
  /** Rows skipped. */
  readonly skipped: number;
  /** Rows failed. */
  readonly failed: number;
  /** Rows not finished (a dry run, an abort, a stop). */
  readonly pending: number;
  /** One entry per row, in order (`rows[i].row === i`). */
  readonly rows: readonly ImportRowResult[];
  /** Every problem found before sending (`dryRun`, `skipInvalid`); empty when every row passed. */
  readonly issues: readonly ImportIssue[];
  /** Nothing was sent: a dry run. */
  readonly dryRun: boolean;
  /** The `signal` fired: rows not finished are `pending`. */
  readonly aborted: boolean;
  /** An error every further row would meet too (`SENSELINK_AUTH`, `SENSELINK_TIMESTAMP`,
   * `SENSELINK_PERSON_LIMIT`, a proxy's 401/403): no row was started after it. */
  readonly stoppedBy: CyzenSenseLinkError | null;
}

/** What `resume` reads of an earlier result: each row's `status`, `id`, `uncertain` and
 * `forcedPast` (so a result saved with `JSON.stringify` works too). */
export interface ImportResume {
  /** One entry per row, in order. */
  readonly rows: ReadonlyArray<{
    readonly status: ImportRowResult["status"];
    readonly id?: number;
    readonly uncertain?: boolean;
    readonly forcedPast?: ImportForcedPast;
  }>;
}

/** What `onProgress` is told after each row ends. */
export interface ImportProgress {
  /** Number of rows. */
  readonly total: number;
  /** Rows ended so far (created + skipped + failed), earlier runs included. */
  readonly done: number;
  /** Rows registered so far. */
  readonly created: number;
  /** Rows skipped so far. */
  readonly skipped: number;
  /** Rows failed so far. */
  readonly failed: number;
  /** The row that just ended. */
  readonly row: ImportRowResult;
}

/**
 * What to do when SenseLink answers that a similar face is already registered (30002 / 610):
 * `"skip"` the row (default), `"force"` it (registered again with `force: true`), or ask — a
 * function of the row, the `SENSELINK_SIMILAR_PERSON` error (with `similarUserId`,
 * `similarUserName`) and the row's index. A function that throws leaves the row failed
 * (`INVALID_INPUT`, field `similarFace`, the thrown value as `cause`).
 * @example
 * similarFace: async (row, error) => (await confirm(`${row.name} looks like ${error.similarUserName}. Register anyway?`)) ? "force" : "skip"
 */
export type SimilarFacePolicy =
  | "skip"
  | "force"
  | ((row: ImportRow, error: SenseLinkError, index: number) => "skip" | "force" | Promise<"skip" | "force">);

/** Options of {@link importPeople}. */
export interface ImportPeopleOptions {
  /** The client's edition (default `"cloud"`): the rules checked before sending depend on it. */
  readonly edition?: SenseLinkEdition;
  /** Creates in flight at once, 1–16 (default 4). */
  readonly concurrency?: number;
  /** Stops the import: no row is started after it fires, calls in flight are cancelled, and the
   * promise resolves with `aborted: true` (pass the result as `resume` to go on). It is also seen
   * during the check pass (every row then `pending`, nothing sent) and while a `similarFace`
   * function is still deciding. */
  readonly signal?: AbortSignal;
  /** Deadline of each call in milliseconds (default: the client's). */
  readonly timeoutMs?: number;
  /** Told after each row ends. A throwing callback is ignored. */
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Similar faces (30002 / 610): `"skip"` (default), `"force"`, or a function that decides. */
  readonly similarFace?: SimilarFacePolicy;
  /** Check every row, send nothing, resolve with the issues. */
  readonly dryRun?: boolean;
  /** Register the valid rows and skip the others (`reason: "invalid"`), instead of rejecting with
   * `INVALID_INPUT` before anything is sent. */
  readonly skipInvalid?: boolean;
  /** Every row needs a face photo (default `true`); `false` allows employees and deny-list persons
   * without one, as the single calls do. */
  readonly requirePhoto?: boolean;
  /** Times a row is sent again after a create whose outcome was unknown and a look-up that found
   * no such person, 0–5 (default 2). */
  readonly retries?: number;
  /** An earlier result for the same rows: created and skipped rows are not sent again; rows whose
   * create may have reached the server are looked up first. */
  readonly resume?: ImportResume;
}

// ---------------------------------------------------------------------------------------------
// The core's checks and parameter tables
// ---------------------------------------------------------------------------------------------

const OPERATIONS = { employee: "employees.create", visitor: "visitors.create", denyList: "denyList.create" } as const;
const PERSON_TYPES = { employee: 1, visitor: 2, denyList: 5 } as const;
const KINDS: readonly ImportKind[] = ["employee", "visitor", "denyList"];

/** How a spreadsheet cell is read into a parameter (from the core's table). */
type ParameterKind = "text" | "date" | "datetime" | "id" | "ids" | "gender" | "flag" | "number";
type Parameters = ReadonlyMap<string, { readonly kind: ParameterKind; readonly required: boolean }>;

const parameterCache = /* @__PURE__ */ new Map<string, Parameters>();

/** The parameters of a create operation on an edition, from the Rust table. */
function parametersOf(edition: SenseLinkEdition, kind: ImportKind): Parameters {
  const key = `${edition} ${kind}`;
  let found = parameterCache.get(key);
  if (found === undefined) {
    const triples = senselinkWasm.call((glue) => glue.SenseLinkCore.parameters(edition, OPERATIONS[kind])) as [string, ParameterKind, boolean][];
    found = new Map(triples.map(([name, kind, required]) => [name, { kind, required }]));
    parameterCache.set(key, found);
  }
  return found;
}

/** The photo as the core's check takes it: a `Blob` and its first 16 bytes (the bytes stay here). */
async function photoForCheck(avatar: unknown): Promise<[unknown, Uint8Array | undefined]> {
  if (avatar === undefined || avatar === null) return [undefined, undefined];
  const isBytes = avatar instanceof Uint8Array || avatar instanceof ArrayBuffer;
  if (!(avatar instanceof Blob) && !isBytes) return [avatar, undefined];
  const blob = isBytes ? new Blob([avatar as BlobPart]) : (avatar as Blob);
  const head = await blob.slice(0, 16).arrayBuffer().then((b) => new Uint8Array(b), () => new Uint8Array(0));
  return [blob, head];
}

/** The problems of `input` for a create of `kind`, by the single call's own rules; nothing is sent. */
async function problemsOf(edition: SenseLinkEdition, kind: ImportKind, input: object): Promise<InputIssue[]> {
  const [photo, head] = await photoForCheck((input as { readonly avatar?: unknown }).avatar);
  const error = senselinkWasm.call((glue) => glue.SenseLinkCore.check(edition, OPERATIONS[kind], input, photo, head)) as
    | { readonly field?: string; readonly message: string; readonly issues?: InputIssue[] }
    | undefined;
  if (error === undefined) return [];
  return error.issues ?? [{ field: error.field ?? "input", message: error.message }];
}

// ---------------------------------------------------------------------------------------------
// importPeople
// ---------------------------------------------------------------------------------------------

interface Settings {
  readonly edition: SenseLinkEdition;
  readonly concurrency: number;
  readonly retries: number;
  readonly similarFace: SimilarFacePolicy;
  readonly requirePhoto: boolean;
}

function checkOptions(client: SenseLinkClient, rows: readonly ImportRow[], options: ImportPeopleOptions): Settings {
  const fail = invalidInput;
  if (client === null || typeof client !== "object" || typeof client.persons?.list !== "function") {
    throw fail("client", "must be a SenseLinkClient");
  }
  if (!Array.isArray(rows)) throw fail("rows", "must be an array of rows");
  if (options === null || typeof options !== "object") throw fail("options", "must be an object");
  const integer = (name: string, value: unknown, min: number, max: number, fallback: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
      throw fail(name, `must be an integer from ${min} to ${max}`);
    }
    return value as number;
  };
  const edition = options.edition ?? "cloud";
  if (edition !== "cloud" && edition !== "enterprise") throw fail("edition", 'must be "cloud" or "enterprise"');
  const similarFace = options.similarFace ?? "skip";
  if (similarFace !== "skip" && similarFace !== "force" && typeof similarFace !== "function") {
    throw fail("similarFace", 'must be "skip", "force" or a function');
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") throw fail("onProgress", "must be a function");
  if (options.signal !== undefined && typeof options.signal?.addEventListener !== "function") throw fail("signal", "must be an AbortSignal");
  const resume = options.resume;
  if (resume !== undefined && (resume === null || !Array.isArray(resume.rows) || resume.rows.length !== rows.length)) {
    throw fail("resume", `must be the result of an import of the same ${rows.length} rows`);
  }
  return {
    edition,
    concurrency: integer("concurrency", options.concurrency, 1, 16, 4),
    retries: integer("retries", options.retries, 0, 5, 2),
    similarFace,
    requirePhoto: options.requirePhoto ?? true,
  };
}

/** A row's state carried over from `resume`: created rows and rows skipped for a similar face stay
 * as they are; every other row runs again (failed and invalid rows are checked again). */
function resumed(resume: ImportResume | undefined, row: number): ImportRowResult {
  // Read loosely: a result saved as JSON is accepted too.
  const earlier = resume?.rows[row] as
    | { readonly status?: unknown; readonly id?: unknown; readonly forced?: unknown; readonly recovered?: unknown; readonly reason?: unknown;
        readonly message?: string; readonly similarUserId?: number | null; readonly similarUserName?: string | null; readonly uncertain?: unknown;
        readonly forcedPast?: unknown }
    | undefined;
  if (earlier?.status === "created" && Number.isInteger(earlier.id)) {
    return { row, status: "created", id: earlier.id as number, forced: earlier.forced === true, recovered: earlier.recovered === true };
  }
  if (earlier?.status === "skipped" && earlier.reason === "similarFace") {
    const { message = "", similarUserId = null, similarUserName = null } = earlier;
    return { row, status: "skipped", reason: "similarFace", message, similarUserId, similarUserName };
  }
  const forcedPast = forcedPastOf(earlier?.forcedPast);
  return { row, status: "pending", uncertain: earlier?.uncertain === true, ...(forcedPast ? { forcedPast } : {}) };
}

/** `forcedPast` of a saved result, read loosely (JSON); `undefined` unless well-formed. */
function forcedPastOf(value: unknown): ImportForcedPast | undefined {
  const v = value as { readonly similarUserId?: unknown; readonly similarUserName?: unknown; readonly namesakes?: unknown } | null | undefined;
  if (v === null || typeof v !== "object" || !Array.isArray(v.namesakes) || !v.namesakes.every(Number.isInteger)) return undefined;
  const id = Number.isInteger(v.similarUserId) ? (v.similarUserId as number) : null;
  const name = typeof v.similarUserName === "string" ? v.similarUserName : null;
  return { similarUserId: id, similarUserName: name, namesakes: [...(v.namesakes as number[])] };
}

/** A row ready to send. */
interface Prepared {
  readonly kind: ImportKind;
  readonly input: Readonly<Record<string, unknown>>;
}

/** Rows checked between two yields to the event loop while checking: a long pass (100,000 rows)
 * lets timers, input and an abort in between; a file of a few hundred rows never waits. */
const ROWS_PER_SLICE = 1000;

/** Lets the event loop run (timers, I/O, an `abort()` from a button) before going on. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Checks every row still to send; returns the prepared rows and every problem, or `null` when
 * `signal` fired before every row was checked. */
async function prepare(rows: readonly ImportRow[], todo: readonly number[], settings: Settings, signal: AbortSignal | undefined):
  Promise<[Map<number, Prepared>, ImportIssue[]] | null> {
  const prepared = new Map<number, Prepared>();
  const issues: ImportIssue[] = [];
  const firstWith = new Map<string, number>();
  for (const [n, row] of todo.entries()) {
    if (n > 0 && n % ROWS_PER_SLICE === 0) await yieldToEventLoop();
    if (signal?.aborted) return null;
    const value = rows[row] as unknown;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      issues.push({ row, field: "row", message: "must be an object" });
      continue;
    }
    const { kind, ...input } = value as { readonly kind?: unknown } & Record<string, unknown>;
    if (typeof kind !== "string" || !(KINDS as readonly string[]).includes(kind)) {
      issues.push({ row, field: "kind", message: `must be "employee", "visitor" or "denyList" (got ${JSON.stringify(kind) ?? "undefined"})` });
      continue;
    }
    const found = await problemsOf(settings.edition, kind as ImportKind, input);
    if (settings.requirePhoto && (input.avatar === undefined || input.avatar === null) && !found.some((i) => i.field === "avatar")) {
      found.push({ field: "avatar", message: "is required: every imported person needs a face photo (requirePhoto: false imports without one)" });
    }
    // The look-up after an unknown outcome finds a person by employee number: one row each.
    const jobNumber = typeof input.jobNumber === "string" ? input.jobNumber : "";
    if (jobNumber.trim() !== "") {
      const key = `${kind} ${jobNumber}`;
      const first = firstWith.get(key);
      if (first === undefined) firstWith.set(key, row);
      else found.push({ field: "jobNumber", message: `"${jobNumber}" is also the employee number of rows[${first}]; each person once` });
    }
    issues.push(...found.map((issue) => ({ row, field: issue.field, message: issue.message })));
    if (found.length === 0) prepared.set(row, { kind: kind as ImportKind, input });
  }
  return [prepared, issues];
}

/**
 * Whether a create that failed this way may have reached the server and registered the person: the
 * one place that decides it (docs/import.md, "Nothing registered twice"). The HTTP status comes
 * first: any 5xx is an unknown outcome, whatever its body says — a SenseLink envelope under a 5xx
 * (`SENSELINK_API`…) may come from a server that stored the person and failed afterwards. Then a
 * SenseLink answer under another status (`SENSELINK_*`), a check before sending (`INVALID_INPUT`)
 * and a 4xx (a proxy's refusal) mean nothing was registered; anything without an answer
 * (`NETWORK`, `TIMEOUT`, `ABORTED`), an unreadable one (`DECODE`, `RESPONSE_TOO_LARGE`) or a
 * foreign error is unknown.
 */
function outcomeUnknown(error: unknown): boolean {
  if (!(error instanceof CyzenSenseLinkError)) return true;
  if (error.status !== undefined && error.status >= 500) return true;
  if (error.code === "INVALID_INPUT" || error.code === "HTTP_STATUS" || error.code.startsWith("SENSELINK_")) return false;
  return true;
}

/**
 * The values SenseLink lets only one person hold, per kind: a create carrying one another person
 * holds is refused with 30001 (seed 2.4.1 for employees, 2.4.8 for the deny list, which also has
 * the employee number, never sent by its create). The seed documents none for visitors.
 */
const UNIQUE_VALUES: Readonly<Record<ImportKind, readonly ("mobile" | "icNumber" | "idNumber")[]>> = {
  employee: ["mobile", "icNumber", "idNumber"],
  visitor: [],
  denyList: ["mobile", "icNumber", "idNumber"],
};

/**
 * Whether a refused create may have been refused because a value of the row is already taken
 * (`UNIQUE_VALUES`): SenseLink answers 30001 (`SENSELINK_INVALID_PARAM`), the code of every refused
 * parameter, and says which value only in Japanese words, so the words are not read. After an
 * unknown outcome such a refusal may be the row's own earlier create, landed after the look-up.
 */
function mayBeTaken(error: CyzenSenseLinkError): boolean {
  return error.code === "SENSELINK_INVALID_PARAM";
}

/** Errors every further row would meet too. */
function stopsTheImport(error: CyzenSenseLinkError): boolean {
  return ["SENSELINK_AUTH", "SENSELINK_TIMESTAMP", "SENSELINK_PERSON_LIMIT"].includes(error.code) ||
    (error.code === "HTTP_STATUS" && (error.status === 401 || error.status === 403));
}

/** What an abort turns a pending decision into. */
const ABORTED: unique symbol = Symbol("aborted");

/** The row's employee number, `""` when it has none. */
function jobNumberOf(p: Prepared): string {
  return typeof p.input.jobNumber === "string" && p.input.jobNumber.trim() !== "" ? p.input.jobNumber : "";
}

function typed(error: unknown): CyzenSenseLinkError {
  if (error instanceof CyzenSenseLinkError) return error;
  const message = (error as { message?: unknown } | null)?.message;
  return makeError("INTERNAL", `importPeople: unexpected error: ${typeof message === "string" ? message : String(error)}`, { cause: error });
}

function summary(states: readonly ImportRowResult[], issues: readonly ImportIssue[], flags: Pick<ImportResult, "dryRun" | "aborted" | "stoppedBy">): ImportResult {
  const count = (status: ImportRowResult["status"]) => states.filter((s) => s.status === status).length;
  return {
    total: states.length,
    created: count("created"),
    skipped: count("skipped"),
    failed: count("failed"),
    pending: count("pending"),
    rows: [...states],
    issues,
    ...flags,
  };
}

/**
 * Registers many people — employees, visitors and deny-list persons with their face photos — with
 * a {@link SenseLinkClient}.
 *
 * 1. **Every row is checked first**, with the single calls' own rules (plus: a photo on every row
 *    unless `requirePhoto: false`, and one row per employee number). With any problem, it rejects
 *    with `INVALID_INPUT` whose `issues` list every `{ row, field, message }`, and nothing is sent;
 *    `dryRun: true` resolves with them instead; `skipInvalid: true` skips those rows.
 * 2. Rows are created `concurrency` at a time (default 4), in order; `onProgress` is told after each.
 * 3. A similar face (`SENSELINK_SIMILAR_PERSON`, 30002 / 610) follows `similarFace`: skip (default),
 *    force, or your function.
 * 4. A create whose outcome is unknown (`NETWORK`, `TIMEOUT`, `ABORTED`, any 5xx — also one carrying
 *    a SenseLink envelope —, an unreadable answer) is never simply sent again: the person is looked up first (`persons.list` by employee
 *    number, else by name and type). Found: the row is `created` (`recovered: true`). Not found:
 *    it is sent again (up to `retries` times). Looked up by name with namesakes present, it is sent
 *    again only without `force`, so the face check tells a namesake from the same person. A resend
 *    refused because a mobile, IC or ID number is taken (30001: the earlier create landed after the
 *    look-up) is looked up again: the holder with the row's name (and employee number) is the row's
 *    person (`recovered: true`); another holder is a real conflict (`failed`).
 *
 * It resolves with every row's status — `created` (with `id`), `skipped` (with `reason`), `failed`
 * (with the typed `error`) or `pending` — also after `signal` fires (`aborted: true`). Pass that
 * result back as `resume` to finish: done rows are not sent again.
 *
 * @param client The client to register with (direct or proxy mode).
 * @param rows The people, each `{ kind, ...the create call's fields, avatar }`.
 * @throws {InvalidInputError} a wrong option, or rows with problems (nothing sent; `issues` has
 *   every `{ row, field, message }`).
 * @example
 * const sl = new SenseLinkClient({ baseUrl: "/senselink", proxy: true });
 * const { rows, issues } = parsePeopleCsv(new Uint8Array(await csvFile.arrayBuffer()), { photos: folderInput.files });
 * const check = await importPeople(sl, rows, { dryRun: true });        // problems, nothing sent
 * const stop = new AbortController();
 * let result = await importPeople(sl, rows, {
 *   concurrency: 4, signal: stop.signal, similarFace: "skip",
 *   onProgress: ({ done, total }) => (bar.value = done / total),
 * });
 * if (result.pending > 0) result = await importPeople(sl, rows, { resume: result });   // later: go on
 * for (const r of result.rows) if (r.status === "failed") console.warn(r.row, r.error.code, r.error.message);
 */
export async function importPeople(client: SenseLinkClient, rows: readonly ImportRow[], options: ImportPeopleOptions = {}): Promise<ImportResult> {
  const settings = checkOptions(client, rows, options);
  const { signal, timeoutMs, onProgress } = options;
  const states: ImportRowResult[] = rows.map((_, row) => resumed(options.resume, row));
  const todo = states.filter((s) => s.status === "pending").map((s) => s.row);
  const checked = await prepare(rows, todo, settings, signal);
  // Aborted while checking: nothing was sent, every row not done stays as it was.
  if (checked === null) return summary(states, [], { dryRun: options.dryRun === true, aborted: true, stoppedBy: null });
  const [prepared, issues] = checked;
  if (options.dryRun === true) return summary(states, issues, { dryRun: true, aborted: false, stoppedBy: null });
  if (issues.length > 0) {
    if (options.skipInvalid !== true) {
      const [first] = issues as [ImportIssue];
      const more = issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : "";
      const rowsWith = new Set(issues.map((i) => i.row)).size;
      throw makeError("INVALID_INPUT", `rows[${first.row}].${first.field}: ${first.message}${more}; ${rowsWith} of ${rows.length} rows have problems, nothing was sent`,
        { field: `rows[${first.row}].${first.field}`, issues });
    }
    // Each row's problems in words, grouped in one pass (not a scan of every issue per issue).
    const problems = new Map<number, string[]>();
    for (const issue of issues) {
      const list = problems.get(issue.row);
      if (list === undefined) problems.set(issue.row, [`${issue.field}: ${issue.message}`]);
      else list.push(`${issue.field}: ${issue.message}`);
    }
    for (const [row, list] of problems) {
      if (states[row]?.status === "skipped") continue;
      states[row] = { row, status: "skipped", reason: "invalid", message: list.join("; "), similarUserId: null, similarUserName: null };
    }
  }

  const call = { signal, timeoutMs };
  let stoppedBy: CyzenSenseLinkError | null = null;
  const stopped = () => signal?.aborted === true || stoppedBy !== null;

  /** `promise`, or `ABORTED` as soon as `signal` fires (a question to the user may never be answered). */
  const unlessAborted = <T>(promise: Promise<T>): Promise<T | typeof ABORTED> => {
    if (signal === undefined) return promise;
    if (signal.aborted) return Promise.resolve(ABORTED);
    return new Promise((resolve, reject) => {
      const onAbort = () => resolve(ABORTED);
      signal.addEventListener("abort", onAbort, { once: true });
      promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  };

  const create = (p: Prepared, force: boolean): Promise<Person> => {
    const input = (force ? { ...p.input, force: true } : p.input) as never;
    const api = p.kind === "employee" ? client.employees : p.kind === "visitor" ? client.visitors : client.denyList;
    return api.create(input, call);
  };

  /** Who this row would be on the server: by employee number, else by name and type (and mobile).
   * `ids`: every exact match; `match`: the person by employee number; `namesakes`: by name. */
  const lookUp = async (p: Prepared): Promise<{ readonly ids: readonly number[]; readonly match: number | null; readonly namesakes: readonly number[] }> => {
    const name = String(p.input.name);
    const jobNumber = jobNumberOf(p);
    const mobile = typeof p.input.mobile === "string" ? p.input.mobile : "";
    const filter: PersonFilter = jobNumber !== ""
      ? { type: PERSON_TYPES[p.kind], jobNumber }
      : { type: PERSON_TYPES[p.kind], name, ...(mobile !== "" ? { mobile } : {}) };
    const ids: number[] = [];
    for (let page: number | null = 1; page !== null && page <= 50;) {
      const result = await client.persons.list({ ...filter, page, size: 100 }, call);
      for (const person of result.items) {
        if (person.name === name && (jobNumber === "" || person.jobNumber === jobNumber)) ids.push(person.id);
      }
      page = result.nextPage;
    }
    return { ids, match: jobNumber !== "" && ids.length > 0 ? Math.max(...ids) : null, namesakes: jobNumber === "" ? ids : [] };
  };

  /** Whether another row of this import ended created as person `id`. */
  const claimed = (id: number, row: number) => states.some((s) => s.row !== row && s.status === "created" && s.id === id);

  /** After an unknown outcome, a resend refused because a value is taken (`mayBeTaken`): the row's
   * person when the earlier create landed after the look-up, else `null` (the refusal stands).
   * With an employee number, the person the look-up finds by it; without, the holder of one of the
   * row's unique values (`UNIQUE_VALUES`: one holder each) when it has the row's name and is no
   * other row's person. */
  const takenByThisRow = async (row: number, p: Prepared): Promise<number | null> => {
    if (jobNumberOf(p) !== "") return (await lookUp(p)).match;
    const name = String(p.input.name);
    for (const field of UNIQUE_VALUES[p.kind]) {
      const value = p.input[field];
      if (typeof value !== "string" || value === "") continue;
      const { items } = await client.persons.list({ type: PERSON_TYPES[p.kind], [field]: value, size: 100 }, call);
      // The ID number may come back encrypted: the server's filter is trusted for it.
      const holder = items.find((x) => x.name === name && (field === "idNumber" || x[field] === value) && !claimed(x.id, row));
      if (holder !== undefined) return holder.id;
    }
    return null;
  };

  const runRow = async (row: number, p: Prepared): Promise<ImportRowResult> => {
    const earlier = states[row] as ImportPending | ImportFailed;
    // Whom the row was forced past (no employee number): kept on an unfinished row for the resume.
    let forcedPast = earlier.forcedPast ?? null;
    const state = await sendRow(row, p, earlier.uncertain, forcedPast, (next) => (forcedPast = next));
    return (state.status === "pending" || state.status === "failed") && forcedPast !== null ? { ...state, forcedPast } : state;
  };

  const sendRow = async (row: number, p: Prepared, uncertain: boolean, forcedPast: ImportForcedPast | null,
    forcing: (past: ImportForcedPast) => void): Promise<ImportRowResult> => {
    let force = false;
    let attempts = 0;
    // After an unknown outcome: namesakes found by name (the face check then tells them apart).
    let guard = null as readonly number[] | null;
    let lastUnknown = null as CyzenSenseLinkError | null;
    // `resumed`: the unknown outcome was an earlier run's; the row has not been sent in this one.
    const settle = async (error: CyzenSenseLinkError, resumed = false): Promise<ImportRowResult | "send"> => {
      lastUnknown = error;
      if (signal?.aborted) return { row, status: "pending", uncertain: true };
      let found;
      try {
        found = await lookUp(p);
      } catch {
        return signal?.aborted ? { row, status: "pending", uncertain: true } : { row, status: "failed", error, uncertain: true };
      }
      if (found.match !== null) return { row, status: "created", id: found.match, forced: force, recovered: true };
      if (forcedPast !== null) {
        // A forced create is not refused for the face, so the face cannot tell this row's person
        // from the one it was forced past: the person it registered is a namesake that was not
        // there before it was sent (and that no other row of this import is).
        const before = new Set(forcedPast.namesakes);
        const fresh = found.namesakes.filter((id) => !before.has(id) && id !== forcedPast?.similarUserId && !claimed(id, row));
        if (fresh.length > 0) return { row, status: "created", id: Math.min(...fresh), forced: true, recovered: true };
        // Not registered: sent again, forced (the policy has already said so).
        if (!resumed && attempts >= settings.retries) return { row, status: "failed", error, uncertain: false };
        attempts += 1;
        force = true;
        guard = null;
        return "send";
      }
      if (!resumed && attempts >= settings.retries) return { row, status: "failed", error, uncertain: found.namesakes.length > 0 };
      if (found.namesakes.length > 0 && (p.input.avatar === undefined || p.input.avatar === null)) {
        return { row, status: "failed", error, uncertain: true };
      }
      attempts += 1;
      guard = found.namesakes.length > 0 ? found.namesakes : null;
      if (guard !== null) force = false;
      return "send";
    };
    if (uncertain) {
      const first = await settle(makeError("NETWORK", `importPeople: rows[${row}]: an earlier attempt may have registered this person; the look-up could not settle it`, {}), true);
      if (first !== "send") return first;
      attempts = 0;
    }
    for (;;) {
      try {
        const person = await create(p, force);
        return { row, status: "created", id: person.id, forced: force, recovered: false };
      } catch (thrown) {
        const error = typed(thrown);
        // First: may this create have registered the person (a 5xx, a lost answer)? Whatever the
        // answer's body says, it is then looked up before anything else.
        if (outcomeUnknown(error)) {
          const next = await settle(error);
          if (next === "send") continue;
          return next;
        }
        // Sent again after an unknown outcome and refused because a value is taken: the earlier
        // create may have landed between the look-up and this resend. Its person holds the value.
        if (lastUnknown !== null && mayBeTaken(error)) {
          let id;
          try {
            id = await takenByThisRow(row, p);
          } catch {
            return signal?.aborted ? { row, status: "pending", uncertain: true } : { row, status: "failed", error, uncertain: true };
          }
          if (id !== null) return { row, status: "created", id, forced: force, recovered: true };
          return { row, status: "failed", error, uncertain: false };
        }
        if (error.code === "SENSELINK_SIMILAR_PERSON") {
          const similar = error as SenseLinkError;
          const similarId = similar.similarUserId ?? null;
          if (guard !== null) {
            // The earlier attempt's person is one of the namesakes when the face matches one.
            if (similarId !== null && guard.includes(similarId)) return { row, status: "created", id: similarId, forced: false, recovered: true };
            return { row, status: "failed", error: lastUnknown ?? error, uncertain: true };
          }
          // The same face under the same name (and employee number) is this row's person: registered
          // by an earlier attempt whose answer was lost, or by a runtime that repeated the request
          // on its own (browsers resend a POST whose kept-alive connection closed unanswered).
          if (similarId !== null && similar.similarUserName === p.input.name) {
            const found = await lookUp(p).catch(() => null);
            if (found?.ids.includes(similarId)) return { row, status: "created", id: similarId, forced: force, recovered: true };
          }
          let decision: "skip" | "force" | typeof ABORTED;
          try {
            const policy = settings.similarFace;
            // An abort ends the row while a question (an async policy) is still open.
            decision = typeof policy === "function" ? await unlessAborted(Promise.resolve().then(() => policy(rows[row] as ImportRow, similar, row))) : policy;
          } catch (decisionError) {
            const error = decisionError instanceof CyzenSenseLinkError ? decisionError
              : makeError("INVALID_INPUT", `similarFace: the function threw: ${String((decisionError as { message?: unknown } | null)?.message ?? decisionError)}`,
                { field: "similarFace", cause: decisionError });
            return { row, status: "failed", error, uncertain: false };
          }
          // The refused create registered nobody: the row is simply not finished.
          if (decision === ABORTED) return { row, status: "pending", uncertain: false };
          if (decision === "force" && !force && similar.canForce !== false) {
            if (jobNumberOf(p) === "") {
              // Without an employee number, a look-up after a lost answer finds this row's person
              // by name only, among namesakes the face cannot tell apart once forced: note who
              // was there before the forced create is sent.
              let before;
              try {
                before = await lookUp(p);
              } catch (lookUpError) {
                return signal?.aborted ? { row, status: "pending", uncertain: false } : { row, status: "failed", error: typed(lookUpError), uncertain: false };
              }
              forcedPast = { similarUserId: similarId, similarUserName: similar.similarUserName ?? null, namesakes: before.namesakes };
              forcing(forcedPast);
            }
            force = true;
            continue;
          }
          const name = similar.similarUserName ?? null;
          return {
            row, status: "skipped", reason: "similarFace", similarUserId: similarId, similarUserName: name,
            message: `a similar face is already registered${name !== null ? ` as ${name}` : ""}${similarId !== null ? ` (id ${similarId})` : ""}`,
          };
        }
        if (stopsTheImport(error)) stoppedBy ??= error;
        return { row, status: "failed", error, uncertain: false };
      }
    }
  };

  const counts = { created: 0, skipped: 0, failed: 0, pending: 0 };
  for (const state of states) counts[state.status] += 1;
  const emit = (state: ImportRowResult) => {
    counts.pending -= 1;
    counts[state.status] += 1;
    if (onProgress === undefined) return;
    const { created, skipped, failed } = counts;
    try {
      onProgress({ total: states.length, done: created + skipped + failed, created, skipped, failed, row: state });
    } catch {
      // A progress callback that throws does not stop the import.
    }
  };

  const queue = [...prepared.keys()].sort((a, b) => a - b);
  let next = 0;
  const worker = async () => {
    while (!stopped() && next < queue.length) {
      const row = queue[next++] as number;
      const state = await runRow(row, prepared.get(row) as Prepared);
      states[row] = state;
      if (state.status !== "pending") emit(state);
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.concurrency, queue.length) }, worker));
  return summary(states, issues, { dryRun: false, aborted: signal?.aborted === true, stoppedBy });
}

// ---------------------------------------------------------------------------------------------
// parsePeopleCsv
// ---------------------------------------------------------------------------------------------

/** What a CSV column can fill: a parameter of the create calls, the row's `kind`, or its `photo`
 * (a file name among `photos`). */
export type ImportColumn =
  | "kind"
  | "photo"
  | Exclude<keyof EmployeeInput | keyof VisitorInput | keyof DenyListInput, "avatar" | "force">;

/** Options of {@link parsePeopleCsv}. */
export interface ParsePeopleCsvOptions {
  /** `"auto"` (default): UTF-8 when the bytes are valid UTF-8 (a BOM is skipped), else Shift_JIS
   * (Windows-31J, as Excel writes it) — but a file whose lines are partly UTF-8 and partly not is
   * refused (`INVALID_INPUT` naming a line of each) rather than garbled. Or name one. */
  readonly encoding?: "auto" | "utf-8" | "shift_jis";
  /** The kind of rows when there is no kind column (default `"employee"`). */
  readonly kind?: ImportKind;
  /** The edition the rows are for (default `"cloud"`): decides which fields a row gets, and which
   * empty cells are sent as `""` (required ones) rather than left out. */
  readonly edition?: SenseLinkEdition;
  /** Header text → column (`null` ignores it), on top of the built-in names: the API's names
   * (`jobNumber`, `job_number`) and Japanese ones (氏名, 社員番号, 部署, 電話番号, 備考…). Matched
   * ignoring case, width, spaces and `_`/`-`. Two columns read as one field are refused
   * (`INVALID_INPUT`): ignore one here. */
  readonly columns?: Readonly<Record<string, ImportColumn | null>>;
  /** Face photos, e.g. a folder's files: matched by the photo column's file name, else by employee
   * number (`E0001.jpg` for `jobNumber` `E0001`). */
  readonly photos?: Iterable<File> | ArrayLike<File>;
  /** `"auto"` (default): by the photo column when there is one, else by employee number. */
  readonly matchPhotosBy?: "auto" | "column" | "jobNumber";
  /** Groups (`sl.groups.list()`), to accept group names in the groups column as well as ids. */
  readonly groups?: readonly SenseLinkGroup[];
  /** Departments (`sl.departments.list()`), to accept department names or codes as well as ids. */
  readonly departments?: readonly SenseLinkDepartment[];
}

/** The rows of a CSV, ready for {@link importPeople}, and what was found reading it. */
export interface ParsedPeopleCsv {
  /** One row per data record (blank lines left out), photos in `avatar`. */
  readonly rows: ImportRow[];
  /** The line of the file each row starts on (1-based), for messages. */
  readonly lines: readonly number[];
  /** The header row as read. */
  readonly header: readonly string[];
  /** What each header column was mapped to (`null`: ignored). */
  readonly columns: readonly (ImportColumn | null)[];
  /** The encoding the bytes were read in. */
  readonly encoding: "utf-8" | "shift_jis";
  /** Problems found reading rows (a photo not found, an unknown group name, a quote not closed,
   * extra cells); the rules of each field are checked by {@link importPeople}. */
  readonly issues: readonly ImportIssue[];
  /** Names of the photos no row uses. */
  readonly unusedPhotos: readonly string[];
}

/** A run of characters that are neither a quote, a comma nor a line break. */
const PLAIN = /[^",\r\n]+/y;

/** A line break: CRLF, LF or CR, each one. */
const LINE_BREAK = /\r\n?|\n/g;

/** How many line breaks `text` holds, counted as the records are (CRLF, LF and CR alike). */
function lineBreaks(text: string): number {
  let n = 0;
  LINE_BREAK.lastIndex = 0;
  while (LINE_BREAK.exec(text) !== null) n += 1;
  return n;
}

/** RFC 4180 records of `text`: `,` between fields, CRLF, LF or CR between records, `"` around a
 * field that holds commas, quotes (`""`) or line breaks. Lenient: a stray quote inside an unquoted
 * field is kept as it is. Returns each record with the line it starts on, and the line of a quote
 * left open at the end. */
function csvRecords(text: string): { records: string[][]; lines: number[]; unclosed: number | null } {
  const records: string[][] = [];
  const lines: number[] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let started = false; // the record has a character or a comma
  let line = 1;
  let recordLine = 1;
  let quoteLine = 0;
  const end = () => {
    record.push(field);
    records.push(record);
    lines.push(recordLine);
    record = [];
    field = "";
    started = false;
  };
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (quoted) {
      const close = text.indexOf('"', i);
      const chunk = close < 0 ? text.slice(i) : text.slice(i, close);
      line += lineBreaks(chunk);
      field += chunk;
      if (close < 0) break;
      quoted = text.charCodeAt(close + 1) === 34;
      if (quoted) field += '"';
      i = close + (quoted ? 2 : 1);
    } else if (c === 44) {
      record.push(field);
      field = "";
      started = true;
      i += 1;
    } else if (c === 10 || c === 13) {
      if (started) end();
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      line += 1;
      recordLine = line;
    } else {
      started = true;
      if (c === 34 && field === "") {
        quoted = true;
        quoteLine = line;
        i += 1;
        continue;
      }
      PLAIN.lastIndex = i;
      const run = PLAIN.exec(text)?.[0] ?? text.charAt(i);
      field += run;
      i += run.length;
    }
  }
  if (started) end();
  return { records, lines, unclosed: quoted ? quoteLine : null };
}

/** The text of CSV bytes, in the encoding given or detected. */
function decodeCsv(bytes: Uint8Array, encoding: "auto" | "utf-8" | "shift_jis"): { text: string; encoding: "utf-8" | "shift_jis" } {
  const decode = (label: "utf-8" | "shift_jis"): string => {
    let decoder: TextDecoder;
    try {
      decoder = new TextDecoder(label, { fatal: true });
    } catch {
      throw invalidInput("encoding", `this runtime's TextDecoder cannot read ${label} (Node needs full ICU, its default); save the file as UTF-8`);
    }
    return decoder.decode(bytes);
  };
  if (encoding !== "shift_jis") {
    try {
      return { text: decode("utf-8"), encoding: "utf-8" };
    } catch {
      if (encoding === "utf-8") throw invalidInput("bytes", 'is not valid UTF-8 text (an Excel CSV in Japanese is often Shift_JIS: encoding "shift_jis")');
    }
  }
  if (encoding === "auto") {
    // Not UTF-8 as a whole. UTF-8 text read as Shift_JIS is mostly valid Shift_JIS (佐藤 becomes
    // 菴占陸), so a file with UTF-8 lines among others (two exports joined) would be garbled
    // without a word: refused, naming a line of each.
    const { utf8, other } = encodingByLine(bytes);
    if (utf8 !== null && other !== null) {
      throw invalidInput("bytes", `mixes encodings: line ${utf8} is UTF-8 text, line ${other} is not (Shift_JIS?); ` +
        "save the whole file in one encoding, or name the encoding (encoding: \"shift_jis\" or \"utf-8\")");
    }
  }
  try {
    return { text: decode("shift_jis"), encoding: "shift_jis" };
  } catch (error) {
    if ((error as { code?: unknown }).code === "INVALID_INPUT") throw error;
    throw invalidInput("bytes", encoding === "shift_jis" ? "is not valid Shift_JIS text" : "is neither UTF-8 nor Shift_JIS text");
  }
}

/**
 * The first line (1-based, counted as the records are) holding non-ASCII bytes that are valid UTF-8,
 * and the first holding bytes that are not. CR and LF never occur inside a UTF-8 or a Shift_JIS
 * character, so lines can be cut on the bytes.
 */
function encodingByLine(bytes: Uint8Array): { utf8: number | null; other: number | null } {
  const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
  let utf8: number | null = null;
  let other: number | null = null;
  let line = 1;
  let start = 0;
  let ascii = true;
  for (let i = 0; i <= bytes.length && (utf8 === null || other === null); i += 1) {
    const byte = i < bytes.length ? (bytes[i] as number) : 10;
    if (byte !== 10 && byte !== 13) {
      if (byte >= 0x80) ascii = false;
      continue;
    }
    if (!ascii) {
      try {
        utf8Decoder.decode(bytes.subarray(start, i));
        utf8 ??= line;
      } catch {
        other ??= line;
      }
    }
    if (byte === 13 && bytes[i + 1] === 10) i += 1;
    line += 1;
    start = i + 1;
    ascii = true;
  }
  return { utf8, other };
}

/** Header text as matched: NFKC (full-width letters and digits become ASCII), lower case, without
 * spaces, `_`, `-`, `・` and brackets. */
function headerKey(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/[\s_\-・()[\]（）「」]/g, "");
}

/**
 * Built-in header names (besides every column's own name, matched the same way). Built on the
 * first import, not at module load: NFKC over ~150 words took 0.3 ms of every cold start (profiled).
 */
let headerNames: ReadonlyMap<string, ImportColumn> | undefined;
function builtInHeaderNames(): ReadonlyMap<string, ImportColumn> {
  if (headerNames) return headerNames;
  const names: [ImportColumn, string][] = [
    ["name", "氏名 名前 姓名 氏名漢字 社員名 従業員名 来訪者名 full_name"],
    ["jobNumber", "社員番号 従業員番号 社員コード 職員番号 社員no 社員id employee_number employee_id"],
    ["departmentId", "部署 部署id 部署コード 所属 所属部署 部門 department"],
    ["mobile", "電話番号 携帯電話 携帯電話番号 携帯番号 携帯 電話 phone tel"],
    ["remark", "備考 メモ 摘要 note"],
    ["icNumber", "icカード番号 icカード カード番号 ic番号 ic_card"],
    ["mail", "メール メールアドレス eメール email e_mail"],
    ["position", "役職 職位 肩書"],
    ["location", "勤務地 勤務場所 拠点"],
    ["birthday", "生年月日 誕生日"],
    ["entryTime", "入社日 入社年月日"],
    ["gender", "性別 sex"],
    ["idNumber", "身分証番号 身分証明書番号 id番号"],
    ["areaCode", "国番号 国際番号"],
    ["prompt", "表示メッセージ メッセージ 案内文"],
    ["receptionUserId", "受付担当者id 受付担当id 担当者id 受付者id"],
    ["dateTimeFrom", "来訪開始 来訪開始日時 訪問開始 訪問開始日時 開始日時"],
    ["dateTimeTo", "来訪終了 来訪終了日時 訪問終了 訪問終了日時 終了日時"],
    ["guestCompany", "会社名 来訪者会社名 所属会社 company"],
    ["guestPurpose", "来訪目的 訪問目的 目的 用件 purpose"],
    ["level", "レベル 来訪者レベル"],
    ["groups", "グループ グループid 所属グループ group"],
    ["kind", "種別 区分 登録種別 type"],
    ["photo", "写真 顔写真 写真ファイル 顔写真ファイル 画像 ファイル名 avatar image file"],
  ];
  // A Map, not an object: a header such as `constructor` or `__proto__` must find nothing.
  const table = new Map<string, ImportColumn>();
  for (const [column, words] of names) {
    table.set(headerKey(column), column);
    for (const word of words.split(" ")) table.set(headerKey(word), column);
  }
  headerNames = table;
  return table;
}

/** Kind cells: the API's names, the person types (1, 2, 5) and Japanese words. Maps, like every
 * table a cell is looked up in: a cell `constructor` must find nothing, not `Object.prototype`'s. */
const KIND_NAMES: ReadonlyMap<string, ImportKind> = /* @__PURE__ */ new Map(Object.entries({
  employee: "employee", "1": "employee", 従業員: "employee", 社員: "employee", 職員: "employee",
  visitor: "visitor", "2": "visitor", 来訪者: "visitor", ビジター: "visitor", 訪問者: "visitor", ゲスト: "visitor", guest: "visitor",
  denylist: "denyList", "5": "denyList", 拒否リスト: "denyList", ブラックリスト: "denyList", blacklist: "denyList",
} as const));

/** Gender cells: 1 female, 2 male. */
const GENDERS: ReadonlyMap<string, 1 | 2> = /* @__PURE__ */ new Map(Object.entries({
  "1": 1, 女: 1, 女性: 1, f: 1, female: 1, "2": 2, 男: 2, 男性: 2, m: 2, male: 2,
} as const));

const SPACES = /^[\s\u3000]+|[\s\u3000]+$/g;

/** `2025/4/1` → `2025-04-01`; with a time, `2025/4/1 9:05` → `2025-04-01 09:05:00`. Anything else
 * is kept for the rules to report. */
function isoDate(text: string, withTime: boolean): string {
  const m = /^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.normalize("NFKC"));
  if (m === null || (m[4] === undefined) === withTime) return text;
  const two = (s: string | undefined) => (s ?? "00").padStart(2, "0");
  const date = `${m[1]}-${two(m[2])}-${two(m[3])}`;
  return withTime ? `${date} ${two(m[4])}:${m[5]}:${two(m[6])}` : date;
}

/**
 * Reads a people spreadsheet saved as CSV into rows for {@link importPeople}.
 *
 * - **Encoding**: UTF-8 (with or without BOM) or Shift_JIS, detected (`encoding: "auto"`) or named,
 *   decoded by the runtime's `TextDecoder` (Node with its default full ICU, browsers and Workers
 *   read Shift_JIS).
 * - **RFC 4180**: quoted fields with commas, `""` and line breaks; CRLF, LF or CR; blank lines
 *   skipped.
 * - **Columns**: the first row is the header. API names (`jobNumber`) and Japanese names (氏名,
 *   社員番号, 部署, 電話番号, 備考, 入社日, 性別, 種別, 写真…) are recognised; `columns` adds or
 *   overrides names. A row gets only the fields of its kind's create call.
 * - **Cells**: spaces around a value are trimmed; dates `2025/4/1` become `2025-04-01`; 性別
 *   男/女 become 2/1; groups are ids or (with `groups`) names, separated by `,` `、` `;`; 部署 is an
 *   id or (with `departments`) a name or code. An empty cell leaves the field out, except a
 *   required one (`""`, `[]`).
 * - **Photos**: matched by the photo column's file name, else by employee number (`E0001.jpg`).
 *
 * @param bytes The file's bytes (`new Uint8Array(await file.arrayBuffer())`, a Node `Buffer`).
 * @throws {InvalidInputError} bytes that are not text in the encoding (or, with `"auto"`, mix UTF-8
 *   and other lines), no header, a header problem (`field` `columns`, with `header` and `columns` on
 *   the error: no name column, or two columns read as one field), or a runtime without Shift_JIS in
 *   its `TextDecoder`.
 * @example
 * const groups = await sl.groups.list({ type: 1 });
 * const csv = parsePeopleCsv(new Uint8Array(await csvFile.arrayBuffer()), { photos: folderInput.files, groups });
 * for (const issue of csv.issues) console.warn(`line ${csv.lines[issue.row]}: ${issue.field}: ${issue.message}`);
 * const result = await importPeople(sl, csv.rows, { dryRun: true });
 */
export function parsePeopleCsv(bytes: Uint8Array | ArrayBuffer, options: ParsePeopleCsvOptions = {}): ParsedPeopleCsv {
  if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) throw invalidInput("bytes", "must be a Uint8Array or an ArrayBuffer");
  if (options === null || typeof options !== "object") throw invalidInput("options", "must be an object");
  const defaultKind = options.kind ?? "employee";
  if (!KINDS.includes(defaultKind)) throw invalidInput("kind", 'must be "employee", "visitor" or "denyList"');
  const edition = options.edition ?? "cloud";
  if (edition !== "cloud" && edition !== "enterprise") throw invalidInput("edition", 'must be "cloud" or "enterprise"');
  const matchBy = options.matchPhotosBy ?? "auto";
  if (!["auto", "column", "jobNumber"].includes(matchBy)) throw invalidInput("matchPhotosBy", 'must be "auto", "column" or "jobNumber"');
  const decoded = decodeCsv(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), options.encoding ?? "auto");
  const { records, lines, unclosed } = csvRecords(decoded.text);
  const [header = [], ...data] = records.filter((r) => r.some((cell) => cell.trim() !== ""));
  const dataLines = lines.filter((_, i) => (records[i] as string[]).some((cell) => cell.trim() !== "")).slice(1);
  if (header.length === 0) throw invalidInput("bytes", "has no header row");

  const names = new Map<string, ImportColumn | null>(builtInHeaderNames());
  const known = new Set<string>(["kind", "photo", ...KINDS.flatMap((k) => [...parametersOf(edition, k)].filter(([, p]) => p.kind !== "flag").map(([n]) => n))]);
  for (const [text, column] of Object.entries(options.columns ?? {})) {
    if (column !== null && !known.has(column)) throw invalidInput(`columns.${text}`, `must be null or one of ${[...known].join(", ")}`);
    names.set(headerKey(text), column);
  }
  const columns = header.map((text) => names.get(headerKey(text)) ?? null);
  /** A problem of the header: `INVALID_INPUT` on `columns`, with the header and its mapping (a page
   * can offer the mapping to fix it). */
  const headerProblem = (message: string) =>
    makeError("INVALID_INPUT", `columns: ${message}`, { field: "columns", issues: [{ field: "columns", message }], header, columns });
  if (!columns.includes("name")) {
    throw headerProblem(`no column holds the name (header: ${header.map((h) => JSON.stringify(h)).join(", ")}); name it 氏名 or name, or map it with columns`);
  }
  // Two columns read into one field would leave one of them unread: a header problem, not a guess.
  const firstOf = new Map<ImportColumn, number>();
  const twice: string[] = [];
  columns.forEach((target, index) => {
    if (target === null) return;
    const first = firstOf.get(target);
    if (first === undefined) {
      firstOf.set(target, index);
      return;
    }
    const [a, b] = [header[first] ?? "", header[index] ?? ""];
    twice.push(headerKey(a) === headerKey(b)
      ? `columns ${first + 1} and ${index + 1} are both headed ${JSON.stringify(b)} (read as ${target}): rename one in the file`
      : `${JSON.stringify(a)} (column ${first + 1}) and ${JSON.stringify(b)} (column ${index + 1}) are both read as ${target}: ` +
        `ignore one (columns: { ${JSON.stringify(b)}: null }) or map it to another field`);
  });
  if (twice.length > 0) throw headerProblem(twice.join("; "));
  const column = (wanted: ImportColumn) => columns.indexOf(wanted);

  // Photos by file name (lower case, NFKC) and by stem (without the extension).
  const photos = options.photos === undefined ? [] : Array.from(options.photos as Iterable<File>);
  const byName = new Map<string, File | null>();
  for (const photo of photos) {
    const full = photo.name.normalize("NFKC").toLowerCase();
    const stem = full.replace(/\.[^.]*$/, "");
    for (const key of new Set([full, stem])) byName.set(key, byName.has(key) ? null : photo);
  }
  const photoBy = matchBy === "auto" ? (column("photo") >= 0 ? "column" : "jobNumber") : matchBy;
  const used = new Map<File, number>();

  const groupIds = new Map<string, number | null>();
  for (const g of options.groups ?? []) {
    const key = g.name.normalize("NFKC").trim();
    groupIds.set(key, groupIds.has(key) ? null : g.id);
  }
  const departmentIds = new Map<string, number | null>();
  const addDepartment = (d: SenseLinkDepartment) => {
    for (const key of [d.name, d.code ?? ""].map((k) => k.normalize("NFKC").trim()).filter((k) => k !== "")) {
      departmentIds.set(key, departmentIds.has(key) && departmentIds.get(key) !== d.id ? null : d.id);
    }
    d.children.forEach(addDepartment);
  };
  (options.departments ?? []).forEach(addDepartment);

  const issues: ImportIssue[] = [];
  if (unclosed !== null) {
    // The open quote swallowed the rest of the file into the last row.
    issues.push({ row: Math.max(0, data.length - 1), field: "csv", message: `a quoted field opened on line ${unclosed} is not closed` });
  }
  const rows = data.map((cells, row): ImportRow => {
    const issue = (field: string, message: string) => issues.push({ row, field, message });
    if (cells.length > header.length && cells.slice(header.length).some((c) => c.trim() !== "")) {
      issue("csv", `has ${cells.length} cells; the header has ${header.length}`);
    }
    const cell = (index: number) => (index >= 0 ? (cells[index] ?? "").replace(SPACES, "") : "");
    const kindCell = cell(column("kind"));
    const kind = kindCell === "" ? defaultKind : (KIND_NAMES.get(headerKey(kindCell)) ?? (kindCell as ImportKind));
    const out: Record<string, unknown> = { kind };
    // An unknown kind is kept as written (with the name, for messages): importPeople refuses it.
    const parameters: Parameters = KINDS.includes(kind) ? parametersOf(edition, kind) : new Map([["name", { kind: "text", required: false }]]);
    columns.forEach((target, index) => {
      if (target === null || target === "kind" || target === "photo") return;
      const parameter = parameters.get(target);
      if (parameter === undefined) return;
      const text = cell(index);
      if (text === "") {
        if (parameter.required && parameter.kind === "text") out[target] = "";
        if (parameter.required && parameter.kind === "ids") out[target] = [];
        return;
      }
      switch (parameter.kind) {
        case "date":
        case "datetime":
          out[target] = isoDate(text, parameter.kind === "datetime");
          break;
        case "gender":
          out[target] = GENDERS.get(headerKey(text)) ?? text;
          break;
        case "ids":
          out[target] = text.split(/[,、;；|｜]+/).map((s) => s.replace(SPACES, "")).filter((s) => s !== "").map((token) => {
            const digits = token.normalize("NFKC");
            if (/^\d+$/.test(digits)) return Number(digits);
            const id = groupIds.get(digits);
            if (id === undefined || id === null) {
              issue(target, id === null ? `several groups are named "${token}": use its id` : `no group named "${token}"${options.groups ? "" : " (pass groups to use names)"}`);
              return token;
            }
            return id;
          });
          break;
        case "id": {
          const digits = text.normalize("NFKC");
          if (/^\d+$/.test(digits) || target !== "departmentId") {
            out[target] = digits;
            break;
          }
          const id = departmentIds.get(digits);
          if (id === undefined || id === null) {
            issue(target, id === null ? `several departments are named "${text}": use its id or code` : `no department named "${text}"${options.departments ? "" : " (pass departments to use names)"}`);
          }
          out[target] = id ?? text;
          break;
        }
        default:
          out[target] = ["jobNumber", "icNumber", "mobile", "idNumber", "areaCode"].includes(target) ? text.normalize("NFKC") : text;
      }
    });
    if (photos.length > 0) {
      const wanted = photoBy === "column" ? cell(column("photo")).split(/[\\/]/).pop() ?? "" : typeof out.jobNumber === "string" ? out.jobNumber : "";
      if (wanted === "") {
        issue("avatar", photoBy === "column" ? "the photo cell is empty" : "has no employee number to find its photo by");
      } else {
        const key = wanted.normalize("NFKC").toLowerCase();
        const photo = byName.get(key) ?? (byName.has(key) ? null : byName.get(key.replace(/\.[^.]*$/, "")));
        if (photo === undefined) issue("avatar", `no photo named "${wanted}" (or ${wanted.replace(/\.[^.]*$/, "")}.*) among the ${photos.length} photos`);
        else if (photo === null) issue("avatar", `several photos are named "${wanted}"`);
        else {
          const other = used.get(photo);
          if (other !== undefined) issue("avatar", `the same photo as rows[${other}] (${photo.name})`);
          else used.set(photo, row);
          out.avatar = photo;
        }
      }
    }
    return out as unknown as ImportRow;
  });
  return {
    rows,
    lines: dataLines,
    header,
    columns,
    encoding: decoded.encoding,
    issues,
    unusedPhotos: photos.filter((p) => !used.has(p)).map((p) => p.name),
  };
}
