/** Internal helpers shared by the two proxies (not re-exported by the package). */

/** A proxy's `authorize` hook: `true` lets the request through, a `Response` is sent as it is. */
export type AuthorizeHook = (request: Request) => boolean | Response | Promise<boolean | Response>;

/**
 * Runs `authorize` on an incoming request: `"allow"` to go on, or the `Response` it returned. `false`
 * and a throw both mean "refused" (`"refuse"`), so a buggy check never lets a request through.
 */
export async function runAuthorize(authorize: AuthorizeHook | undefined, request: Request): Promise<"allow" | "refuse" | Response> {
  if (!authorize) return "allow";
  let verdict: boolean | Response;
  try {
    verdict = await authorize(request);
  } catch {
    return "refuse";
  }
  if (verdict instanceof Response) return verdict;
  return verdict === true ? "allow" : "refuse";
}
