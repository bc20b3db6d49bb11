import { senselinkSign, httpRequest, CyzenSenseLinkError } from "cyzen-senselink";

const $ = (id) => document.getElementById(id);
$("status").textContent = "WebAssembly module loaded.";

function updateSign() {
  $("sign").textContent = senselinkSign($("ts").value, $("secret").value);
}
$("ts").addEventListener("input", updateSign);
$("secret").addEventListener("input", updateSign);
updateSign();

$("send").addEventListener("click", async () => {
  const file = $("file").files[0] ?? new Blob(["hello from cyzen-senselink"], { type: "text/plain" });
  $("echo").textContent = "sending…";
  try {
    const response = await httpRequest({
      url: new URL("/echo", location.href).href,
      method: "POST",
      multipart: [{ name: "note", value: "demo" }, { name: "file", file, filename: file.name ?? "hello.txt" }],
      timeoutMs: 10_000,
    });
    const echoed = JSON.parse(new TextDecoder().decode(response.body));
    $("echo").textContent = JSON.stringify(echoed.multipart.map(({ base64, ...part }) => part), null, 2);
  } catch (error) {
    $("echo").textContent = error instanceof CyzenSenseLinkError ? `${error.code}: ${error.message}` : String(error);
  }
});
