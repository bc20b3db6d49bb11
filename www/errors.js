// Plain-language explanations of the library's error codes (English / Japanese). The code itself and
// the library's message stay available under "Details" (see ui.js errorBox).
import { currentLang } from "./i18n.js";

const TEXT = {
  INVALID_INPUT: ["Please check the highlighted entry; nothing was sent.", "入力内容を確認してください。送信はされていません。"],
  SENSELINK_SIMILAR_PERSON: ["A person with a very similar face is already registered.", "よく似た顔の人がすでに登録されています。"],
  SENSELINK_FACE_REJECTED: ["The photo was refused: SenseLink found no usable face. Use a clear, front-facing photo of one person.", "顔写真が受け付けられませんでした。一人の顔が正面からはっきり写った写真を使ってください。"],
  SENSELINK_PERSON_LIMIT: ["The SenseLink plan's person limit is reached. Delete someone or upgrade the plan.", "SenseLink の契約人数の上限に達しています。不要な人員を削除するか、プランを変更してください。"],
  SENSELINK_INVALID_PARAM: ["SenseLink refused one of the values (for example a duplicate number or an unknown group).", "SenseLink が入力値の一つを受け付けませんでした（番号の重複や存在しないグループなど）。"],
  SENSELINK_AUTH: ["The Worker's SenseLink key was refused. Ask the administrator to check SENSELINK_APP_KEY and SENSELINK_APP_SECRET.", "Worker の SenseLink キーが拒否されました。管理者に SENSELINK_APP_KEY と SENSELINK_APP_SECRET の確認を依頼してください。"],
  SENSELINK_TIMESTAMP: ["The Worker's clock differs from SenseLink's by more than 30 minutes.", "Worker と SenseLink の時刻が 30 分以上ずれています。"],
  SENSELINK_API: ["SenseLink could not do this.", "SenseLink でこの操作を実行できませんでした。"],
  CYZEN_VALIDATION: ["cyzen refused one of the values.", "cyzen が入力値の一つを受け付けませんでした。"],
  CYZEN_UNAUTHORIZED: ["Your cyzen sign-in is missing or has expired. Sign in with cyzen again.", "cyzen のサインインがないか期限切れです。もう一度サインインしてください。"],
  CYZEN_API: ["cyzen could not do this.", "cyzen でこの操作を実行できませんでした。"],
  RATE_LIMITED: ["The service is busy. Wait a minute and try again.", "サービスが混み合っています。少し待ってからやり直してください。"],
  NETWORK: ["The Worker could not be reached. Check the connection and try again.", "Worker に接続できませんでした。接続を確認してやり直してください。"],
  TIMEOUT: ["No answer in time. Try again.", "時間内に応答がありませんでした。やり直してください。"],
  ABORTED: ["Stopped.", "中止しました。"],
  DECODE: ["The answer could not be read.", "応答を読み取れませんでした。"],
  OAUTH_ACCESS_DENIED: ["The cyzen sign-in was cancelled.", "cyzen のサインインがキャンセルされました。"],
  OAUTH_STATE: ["The cyzen sign-in took too long or was started elsewhere. Sign in again.", "cyzen のサインインの有効期限が切れたか、別の画面で開始されました。もう一度サインインしてください。"],
  OAUTH_INVALID_GRANT: ["The cyzen sign-in has expired. Sign in again.", "cyzen のサインインの期限が切れました。もう一度サインインしてください。"],
  OAUTH_INVALID_CLIENT: ["The Worker's cyzen client settings were refused. Ask the administrator.", "Worker の cyzen クライアント設定が拒否されました。管理者に連絡してください。"],
  OAUTH_ERROR: ["The cyzen sign-in failed.", "cyzen のサインインに失敗しました。"],
  OAUTH_NO_TOKEN: ["Sign in with cyzen first.", "先に cyzen でサインインしてください。"],
};

const BY_STATUS = {
  401: ["Your session with the Worker has expired. Reload the page.", "Worker とのセッションが切れました。ページを再読み込みしてください。"],
  403: ["The Worker does not allow this action.", "Worker がこの操作を許可していません。"],
  502: ["The service behind the Worker could not be reached.", "Worker の先のサービスに接続できませんでした。"],
  503: ["This service is not configured on the Worker.", "この Worker ではこのサービスが設定されていません。"],
  504: ["The service behind the Worker did not answer in time.", "Worker の先のサービスが時間内に応答しませんでした。"],
};
const UNKNOWN = ["Something went wrong.", "問題が発生しました。"];

/** `{ text, code }` for an error: a sentence for people, and the stable code. */
export function friendly(error) {
  const i = currentLang() === "ja" ? 1 : 0;
  const code = error?.code ?? "ERROR";
  let entry = TEXT[code];
  if (code === "HTTP_STATUS" || !entry) entry = BY_STATUS[error?.status] ?? entry ?? UNKNOWN;
  return { text: entry[i], code };
}
