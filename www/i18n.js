// The page's words in English and Japanese. `t(key, vars)` looks one up in the current language;
// elements with data-i18n / data-i18n-placeholder / data-i18n-label get theirs from `applyTo()`.
const STRINGS = {
  "app.title": ["cyzen-senselink admin", "cyzen-senselink 管理"],
  "app.lang": ["日本語", "English"],
  "app.langLabel": ["Switch to Japanese", "英語に切り替え"],
  "app.loading": ["Loading the WebAssembly module…", "WebAssembly モジュールを読み込み中…"],
  "app.noSession": ["This page has no session with the Worker. Reload the page.", "Worker とのセッションがありません。ページを再読み込みしてください。"],
  "tab.people": ["SenseLink people", "SenseLink 人員"],
  "tab.cyzen": ["cyzen", "cyzen"],
  "tab.events": ["Events", "イベント"],

  "people.title": ["People", "人員"],
  "people.add": ["Add person", "人員を追加"],
  "people.type": ["Type", "種別"],
  "people.all": ["All", "すべて"],
  "people.name": ["Name", "氏名"],
  "people.size": ["Per page", "表示件数"],
  "people.search": ["Search", "検索"],
  "people.loading": ["Loading…", "読み込み中…"],
  "people.notConfigured": ["SenseLink is not configured on this Worker (SENSELINK_* settings).", "この Worker には SenseLink が設定されていません（SENSELINK_* の設定）。"],
  "people.count": ["Page {page}: {count} people", "{page} ページ: {count} 人"],
  "people.countOne": ["Page {page}: 1 person", "{page} ページ: 1 人"],
  "people.none": ["No one matches.", "該当する人員はいません。"],
  "people.prev": ["Previous", "前へ"],
  "people.next": ["Next", "次へ"],
  "people.pageOf": ["Page {page}", "{page} ページ"],
  "people.edit": ["Edit", "編集"],
  "people.delete": ["Delete", "削除"],
  "people.moveIn": ["Move to deny list", "拒否リストへ移動"],
  "people.moveOut": ["Move out of deny list", "拒否リストから戻す"],
  "people.deleteTitle": ["Delete {name}?", "{name} を削除しますか？"],
  "people.deleteBody": ["{name} (id {id}) will be removed from SenseLink. This cannot be undone.", "{name}（ID {id}）を SenseLink から削除します。元に戻せません。"],
  "people.moveInTitle": ["Move {name} to the deny list?", "{name} を拒否リストに移動しますか？"],
  "people.moveInBody": ["Terminals will refuse this person. Deny-list group:", "端末はこの人を拒否します。拒否リストのグループ:"],
  "people.noGroup": ["(no group)", "（グループなし）"],
  "people.moveOutTitle": ["Move {name} out of the deny list?", "{name} を拒否リストから戻しますか？"],
  "people.moveOutBody": ["The person becomes a {type} again.", "{type}に戻ります。"],
  "people.added": ["Added", "追加済み"],
  "people.deleted": ["Deleted {name}.", "{name} を削除しました。"],
  "people.movedIn": ["{name} is now on the deny list.", "{name} を拒否リストに移動しました。"],
  "people.movedOut": ["{name} is out of the deny list.", "{name} を拒否リストから戻しました。"],
  "type.1": ["Employee", "従業員"],
  "type.2": ["Visitor", "来訪者"],
  "type.5": ["Deny list", "拒否リスト"],
  "type.other": ["Other", "その他"],

  "form.addTitle": ["Add a person", "人員の追加"],
  "form.editTitle": ["Edit {name}", "{name} の編集"],
  "form.kind": ["Register as", "登録の種別"],
  "form.photo": ["Face photo", "顔写真"],
  "form.photoHint": ["JPEG or PNG, at most 4 MB, one face, front-facing.", "JPEG または PNG、4 MB まで、正面を向いた一人の顔。"],
  "form.drop": ["Drop a photo here, or", "ここに写真をドロップ、または"],
  "form.choose": ["choose a file", "ファイルを選択"],
  "form.keepPhoto": ["Leave empty to keep the current photo.", "空のままなら今の写真を使い続けます。"],
  "form.photoRemove": ["Remove photo", "写真を外す"],
  "form.noPreview": ["No preview: this file is not an image the browser can show.", "プレビューできません（ブラウザで表示できる画像ではありません）。"],
  "form.similarPhoto": ["Registered photo of {name}", "{name} の登録写真"],
  "form.name": ["Name", "氏名"],
  "form.jobNumber": ["Employee number", "社員番号"],
  "form.mobile": ["Mobile", "携帯電話"],
  "form.icNumber": ["IC card number", "IC カード番号"],
  "form.remark": ["Remark", "備考"],
  "form.group": ["Group", "グループ"],
  "form.reception": ["Receiving employee (id)", "受付担当の従業員（ID）"],
  "form.from": ["Visit from", "来訪開始"],
  "form.to": ["Visit until", "来訪終了"],
  "form.required": ["required", "必須"],
  "form.cancel": ["Cancel", "キャンセル"],
  "form.save": ["Save", "保存"],
  "form.saving": ["Saving…", "保存中…"],
  "form.added": ["Added {name} (id {id}).", "{name}（ID {id}）を追加しました。"],
  "form.updated": ["Saved {name}.", "{name} を保存しました。"],
  "form.similarTitle": ["A similar face is already registered", "よく似た顔がすでに登録されています"],
  "form.similarBody": ["SenseLink found {name} (id {id}) with a similar face. Register this person anyway?", "SenseLink に似た顔の {name}（ID {id}）がいます。それでも登録しますか？"],
  "form.force": ["Register anyway", "それでも登録する"],

  "cyzen.title": ["cyzen", "cyzen"],
  "cyzen.notConfigured": ["cyzen is not configured on this Worker (CYZEN_* settings).", "この Worker には cyzen が設定されていません（CYZEN_* の設定）。"],
  "cyzen.signedOut": ["Not signed in.", "サインインしていません。"],
  "cyzen.signedIn": ["Signed in to cyzen.", "cyzen にサインイン中。"],
  "cyzen.signIn": ["Sign in with cyzen", "cyzen でサインイン"],
  "cyzen.signOut": ["Sign out", "サインアウト"],
  "cyzen.signedOutDone": ["Signed out: the tokens were deleted.", "サインアウトしました。トークンは削除されました。"],
  "cyzen.data": ["Data", "データ"],
  "cyzen.spots": ["Spots", "スポット"],
  "cyzen.users": ["Users", "ユーザー"],
  "cyzen.schedules": ["Schedules", "予定"],
  "cyzen.reports": ["Reports", "報告書"],
  "cyzen.from": ["From", "開始日"],
  "cyzen.to": ["To", "終了日"],
  "cyzen.limit": ["Up to", "最大件数"],
  "cyzen.load": ["Load", "読み込む"],
  "cyzen.stop": ["Stop", "中止"],
  "cyzen.newSpot": ["New spot", "スポットを追加"],
  "cyzen.progress": ["Loading… page {pages} · {items} items so far", "読み込み中… {pages} ページ目 · ここまで {items} 件"],
  "cyzen.progressWindow": ["Loading… window {from} → {to} · page {pages} · {items} items so far", "読み込み中… 期間 {from} → {to} · {pages} ページ目 · ここまで {items} 件"],
  "cyzen.loaded": ["{items} items in {pages} pages.", "{pages} ページで {items} 件。"],
  "cyzen.loadedOne": ["{items} item{s} in 1 page.", "1 ページで {items} 件。"],
  "cyzen.stopped": ["Stopped after {items} items.", "{items} 件で中止しました。"],
  "cyzen.limitReached": ["Showing the first {items} (limit).", "先頭の {items} 件を表示（上限）。"],
  "cyzen.empty": ["Nothing in this range.", "この範囲にはデータがありません。"],
  "cyzen.view": ["Rows {from}–{to} of {total}", "{total} 件中 {from}–{to} 件目"],
  "cyzen.sync": ["Last scheduled sync", "前回の定期同期"],
  "cyzen.syncNone": ["No scheduled sync has run yet.", "定期同期はまだ実行されていません。"],
  "cyzen.syncOk": ["{reports} reports updated between {from} and {to} ({pages} pages, {source}), at {at}.", "{from} から {to} に更新された報告書 {reports} 件（{pages} ページ、{source}）、{at} に実行。"],
  "cyzen.syncFailed": ["Failed at {at}: {error}", "{at} に失敗: {error}"],
  "spot.addTitle": ["New spot", "スポットの追加"],
  "spot.editTitle": ["Edit {name}", "{name} の編集"],
  "spot.name": ["Spot name", "スポット名"],
  "spot.kana": ["Kana", "フリガナ"],
  "spot.code": ["Spot code", "スポットコード"],
  "spot.address": ["Address", "住所"],
  "spot.tel": ["Phone", "電話番号"],
  "spot.lat": ["Latitude", "緯度"],
  "spot.lon": ["Longitude", "経度"],
  "spot.comment": ["Comment", "コメント"],
  "spot.nameRequired": ["is required", "必須です"],
  "spot.number": ["must be a number", "数値で入力してください"],
  "spot.latLon": ["give both latitude and longitude, or neither", "緯度と経度は両方入力するか、両方空にしてください"],
  "spot.created": ["Created spot {name}.", "スポット {name} を追加しました。"],
  "spot.updated": ["Saved spot {name}.", "スポット {name} を保存しました。"],
  "col.name": ["Name", "名前"],
  "col.code": ["Code", "コード"],
  "col.address": ["Address", "住所"],
  "col.updated": ["Updated", "更新日時"],
  "col.login": ["Login id", "ログイン ID"],
  "col.groups": ["Groups", "グループ"],
  "col.status": ["Status", "状態"],
  "col.title": ["Title", "件名"],
  "col.start": ["Start", "開始"],
  "col.end": ["End", "終了"],
  "col.place": ["Place", "場所"],
  "col.report": ["Report", "報告書"],
  "col.definition": ["Definition", "定義"],
  "col.user": ["User", "ユーザー"],
  "col.actions": ["Actions", "操作"],

  "events.title": ["Events", "イベント"],
  "events.intro": ["SenseLink pushes recognition records and device alerts to the Worker at", "SenseLink は認識記録と端末アラートを次の Worker に送信します:"],
  "events.how": ["The Worker answers 200 at once, then de-duplicates by message id and looks the person up in the background. This list refreshes every few seconds.", "Worker はすぐに 200 を返し、メッセージ ID で重複を除いてから、バックグラウンドで人員を照会します。この一覧は数秒ごとに更新されます。"],
  "events.none": ["No events yet.", "イベントはまだありません。"],
  "events.recognition": ["Recognition", "認識"],
  "events.alert": ["Device alert", "端末アラート"],
  "events.unknown": ["Event {type}", "イベント {type}"],
  "events.stranger": ["Unregistered person", "未登録の人物"],
  "events.in": ["in", "入"],
  "events.out": ["out", "出"],

  "error.details": ["Details", "詳細"],
  "error.code": ["Code", "コード"],
};

const saved = globalThis.localStorage?.getItem("lang");
let lang = saved === "ja" || saved === "en" ? saved : (navigator.language ?? "").startsWith("ja") ? "ja" : "en";

export function currentLang() {
  return lang;
}

export function setLang(next) {
  lang = next;
  localStorage.setItem("lang", next);
  document.documentElement.lang = next;
}

/** The text of `key` in the current language, with `{name}` replaced from `vars`. */
export function t(key, vars = {}) {
  const entry = STRINGS[key];
  const text = entry ? entry[lang === "ja" ? 1 : 0] : key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] === undefined || vars[name] === null ? "" : String(vars[name])));
}

/** Fills every [data-i18n] (text), [data-i18n-placeholder] and [data-i18n-label] (aria-label) under `root`. */
export function applyTo(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
}
