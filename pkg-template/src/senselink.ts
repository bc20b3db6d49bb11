/** SenseLink Open Platform client. */
import { senselinkSign as wasmSign } from "../cyzen_senselink.js";

/**
 * The SenseLink request signature: lower-case hex `md5(timestamp + "#" + appSecret)`.
 * Use it only where the secret may live (a server or a Worker), never in a browser.
 *
 * @param timestamp Unix time in milliseconds, as a decimal string (13 digits).
 * @param appSecret The app secret.
 * @example senselinkSign("1477881215000", "2323dsfadfewrasa3434") // "e5ef72ef839bdf5397b4906b199b9fbf"
 */
export function senselinkSign(timestamp: string, appSecret: string): string {
  return wasmSign(timestamp, appSecret);
}
