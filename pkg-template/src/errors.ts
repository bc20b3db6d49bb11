/**
 * Typed errors. Every failure the package reports is a {@link CyzenSenseLinkError} with a stable
 * string `code`; subclasses group the codes so `instanceof` and `switch (err.code)` both work.
 * Messages, `body` excerpts and `Debug` output never contain secrets or tokens.
 */

/** Transport failures. */
export type TransportErrorCode = "NETWORK" | "TIMEOUT" | "ABORTED";
/** Failures that are neither transport- nor API-specific. */
export type GeneralErrorCode = "HTTP_STATUS" | "INVALID_INPUT" | "DECODE" | "RATE_LIMITED" | "RESPONSE_TOO_LARGE" | "ACCESS_DENIED" | "INTERNAL";
/** SenseLink answers with `code != 200`. */
export type SenseLinkErrorCode =
  | "SENSELINK_SIMILAR_PERSON"
  | "SENSELINK_FACE_REJECTED"
  | "SENSELINK_PERSON_LIMIT"
  | "SENSELINK_INVALID_PARAM"
  | "SENSELINK_AUTH"
  | "SENSELINK_TIMESTAMP"
  | "SENSELINK_API";
/** cyzen answers carrying `errors[]` or refusing the token. */
export type CyzenErrorCode = "CYZEN_VALIDATION" | "CYZEN_UNAUTHORIZED" | "CYZEN_API";
/** OAuth 2.0 failures. */
export type OAuthErrorCode =
  | "OAUTH_STATE"
  | "OAUTH_ACCESS_DENIED"
  | "OAUTH_INVALID_GRANT"
  | "OAUTH_INVALID_CLIENT"
  | "OAUTH_ERROR"
  | "OAUTH_NO_TOKEN";
/** Every error code. */
export type ErrorCode = TransportErrorCode | GeneralErrorCode | SenseLinkErrorCode | CyzenErrorCode | OAuthErrorCode;

/** Properties an error may carry besides `code` and `message`. */
export interface ErrorProps {
  /** HTTP status of the response, when one was received. */
  status?: number;
  /** How long the server asked to wait before retrying, in milliseconds. */
  retryAfterMs?: number;
  /** A short excerpt of the response body, with credentials masked. */
  body?: string;
  /** The input field at fault. */
  field?: string;
  /** The underlying failure (e.g. the runtime's `TypeError` from `fetch`). */
  cause?: unknown;
  /** API-specific details (see the subclasses). */
  [detail: string]: unknown;
}

/** Base class of every error this package throws. */
export class CyzenSenseLinkError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** HTTP status of the response, when one was received. */
  readonly status?: number;
  /** How long the server asked to wait before retrying, in milliseconds. */
  readonly retryAfterMs?: number;
  /** A short excerpt of the response body, with credentials masked. */
  readonly body?: string;
  /** The input field at fault. */
  readonly field?: string;
  /** cyzen lists: where to resume after this failure (pass it as `{ cursor }` to `list()`). */
  declare readonly cursor?: Readonly<Record<string, string>>;
  /** Lists: how many items were delivered before this failure. */
  declare readonly delivered?: number;
  /** SenseLink lists: the page that failed (pass it as the filter's `page` to resume there). */
  declare readonly page?: number;
  /** The call that failed (`persons.list`, `spots.create`, `oauth.refresh`…). */
  declare readonly operation?: string;
  /** The method of the call's last request. */
  declare readonly method?: string;
  /** The URL of the call's last request, credential-like query values redacted. */
  declare readonly url?: string;
  /** The server's request id (`x-request-id`, `cf-ray`…) of the call's last answer, when it sent one. */
  declare readonly requestId?: string;

  constructor(code: ErrorCode, message: string, props: ErrorProps = {}) {
    // Errors are made up to ~12 frames deep (wrapper, WebAssembly glue, WebAssembly); V8 keeps 10
    // by default, which would cut the caller's own line off the stack. Keep 20 more while capturing.
    const limit = (Error as { stackTraceLimit?: unknown }).stackTraceLimit;
    const raise = typeof limit === "number" && Number.isFinite(limit) && limit > 0;
    if (raise) (Error as { stackTraceLimit: number }).stackTraceLimit = limit + 20;
    try {
      super(message, props.cause === undefined ? undefined : { cause: props.cause });
    } finally {
      if (raise) (Error as { stackTraceLimit: number }).stackTraceLimit = limit;
    }
    this.name = new.target.name;
    this.code = code;
    for (const [key, value] of Object.entries(props)) {
      if (key !== "cause" && value !== undefined) {
        Object.defineProperty(this, key, { value, enumerable: true, writable: false, configurable: true });
      }
    }
  }
}

/** `NETWORK`, `TIMEOUT` or `ABORTED`: no complete response was received. */
export class TransportError extends CyzenSenseLinkError {
  declare readonly code: TransportErrorCode;
}

/** One broken rule of an input. */
export interface InputIssue {
  /** The field at fault (`name`, `groups[1]`, `avatar`, `filter.updated_from`…). */
  readonly field: string;
  /** What is wrong with it. */
  readonly message: string;
}

/** `INVALID_INPUT`: the input breaks documented rules; nothing was sent. `field` and the message
 * name the first problem; `issues` lists every one, so a form can show them all at once. */
export class InvalidInputError extends CyzenSenseLinkError {
  declare readonly code: "INVALID_INPUT";
  declare readonly field: string;
  /** Every problem found, in order. */
  declare readonly issues: ReadonlyArray<InputIssue>;
}

/** `HTTP_STATUS`, `DECODE`, `RATE_LIMITED` or `RESPONSE_TOO_LARGE`. */
export class HttpError extends CyzenSenseLinkError {
  declare readonly code: "HTTP_STATUS" | "DECODE" | "RATE_LIMITED" | "RESPONSE_TOO_LARGE";
  /** `RESPONSE_TOO_LARGE`: the `maxResponseBytes` the answer exceeded. */
  declare readonly limit?: number;
}

/** Why a request or token was refused (`reason` of an `ACCESS_DENIED` error). */
export type AccessDeniedReason =
  /** No token: neither the `Cf-Access-Jwt-Assertion` header nor (when enabled) the `CF_Authorization` cookie. */
  | "missing"
  /** Not a well-formed JWT (segments, base64url, JSON, required claims). */
  | "malformed"
  /** The header's `alg` is not exactly `RS256` (`none`, `HS256`…), or it lists `crit` extensions. */
  | "algorithm"
  /** No key of the team's key set has the token's `kid` (after one refetch, when allowed). */
  | "unknown_key"
  /** The RS256 signature does not verify. */
  | "signature"
  /** `iss` is not `https://<teamDomain>`. */
  | "issuer"
  /** `aud` does not contain the application's audience tag. */
  | "audience"
  /** `exp` has passed (beyond the allowed clock skew). */
  | "expired"
  /** `nbf` or `iat` lies in the future (beyond the allowed clock skew). */
  | "not_yet_valid"
  /** The team's key set could not be fetched or read; nothing could be verified. */
  | "keys_unavailable";

/**
 * `ACCESS_DENIED`: a verifier from `createAccessVerifier` refused a Cloudflare
 * Access token; `reason` says why. Its message never contains the token.
 * @example
 * try {
 *   await verifier.verify(request);
 * } catch (error) {
 *   if (error instanceof AccessDeniedError) console.warn("Access refused:", error.reason);
 * }
 */
export class AccessDeniedError extends CyzenSenseLinkError {
  declare readonly code: "ACCESS_DENIED";
  /** Why the request was refused. */
  declare readonly reason: AccessDeniedReason;
}

/** `INTERNAL`: the WebAssembly module trapped (a bug). The call was abandoned — it may or may not
 * have reached the server — and the next call runs on a fresh instance. */
export class InternalError extends CyzenSenseLinkError {
  declare readonly code: "INTERNAL";
}

/** A SenseLink answer with `code != 200` (HTTP status is usually 200). */
export class SenseLinkError extends CyzenSenseLinkError {
  declare readonly code: SenseLinkErrorCode;
  /** SenseLink's numeric `code` (e.g. 30002). */
  declare readonly apiCode?: number;
  /** SenseLink's `message`. */
  declare readonly apiMessage?: string;
  /** SenseLink's `desc`. */
  declare readonly desc?: string;
  /** SenseLink's `data`, as received. */
  declare readonly data?: unknown;
  /** `SENSELINK_SIMILAR_PERSON`: id of the similar person already registered. */
  declare readonly similarUserId?: number;
  /** `SENSELINK_SIMILAR_PERSON`: name of the similar person. */
  declare readonly similarUserName?: string;
  /** `SENSELINK_SIMILAR_PERSON`: avatar id of the similar person. */
  declare readonly similarUserAvatar?: string;
  /** `SENSELINK_SIMILAR_PERSON`: whether retrying with `force: true` is allowed. */
  declare readonly canForce?: boolean;
  /** `SENSELINK_FACE_REJECTED`: why the photo was refused (SenseLink's `desc`, else its `message`). */
  declare readonly reason?: string;
  /** `SENSELINK_TIMESTAMP`: the clock offset the server's `Date` header suggests, when readable. */
  declare readonly suggestedClockOffsetMs?: number;
}

/** A cyzen answer carrying `errors[]`, or a refused token. */
export class CyzenError extends CyzenSenseLinkError {
  declare readonly code: CyzenErrorCode;
  /** The first `err_code` of `errors[]`. */
  declare readonly apiCode?: number;
  /** Every entry of `errors[]`. */
  declare readonly errors?: ReadonlyArray<{ readonly err_code: number | string; readonly err_msg: string }>;
  /** For a failed page: the cursor to resume from. */
  declare readonly cursor?: Readonly<Record<string, string>>;
}

/** An OAuth 2.0 failure (RFC 6749 `error` in `oauthError`). */
export class OAuthError extends CyzenSenseLinkError {
  declare readonly code: OAuthErrorCode;
  /** The RFC 6749 `error` value, when the server sent one. */
  declare readonly oauthError?: string;
  /** The RFC 6749 `error_description`, when the server sent one. */
  declare readonly oauthErrorDescription?: string;
}

/**
 * Gives classes their names back. The package's bundle is minified without esbuild's
 * `--keep-names`, which wraps every named function and closure in a naming call (1.6 KB gzip, and a
 * `defineProperty` per closure on every call); only the public classes need their names (error
 * stacks, `error.name`, `console.log`). @internal
 */
export function nameClasses(classes: Record<string, new (...args: never[]) => unknown>): void {
  for (const [name, cls] of Object.entries(classes)) Object.defineProperty(cls, "name", { value: name, configurable: true });
}

nameClasses({ CyzenSenseLinkError, TransportError, InvalidInputError, HttpError, AccessDeniedError, InternalError, SenseLinkError, CyzenError, OAuthError });

/** Creates the right subclass for a code. Used by the package loader; exported for tests. */
export function makeError(code: ErrorCode, message: string, props: ErrorProps): CyzenSenseLinkError {
  if (code === "NETWORK" || code === "TIMEOUT" || code === "ABORTED") return new TransportError(code, message, props);
  if (code === "INVALID_INPUT") return new InvalidInputError(code, message, props);
  if (code.startsWith("SENSELINK_")) return new SenseLinkError(code, message, props);
  if (code.startsWith("CYZEN_")) return new CyzenError(code, message, props);
  if (code.startsWith("OAUTH_")) return new OAuthError(code, message, props);
  if (code === "INTERNAL") return new InternalError(code, message, props);
  if (code === "ACCESS_DENIED") return new AccessDeniedError(code, message, props);
  return new HttpError(code, message, props);
}

/** An `INVALID_INPUT` error for one field. @internal */
export function invalidInput(field: string, message: string): Error {
  return makeError("INVALID_INPUT", `${field}: ${message}`, { field, issues: [{ field, message }] });
}
