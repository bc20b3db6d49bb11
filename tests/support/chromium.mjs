// Launches Debian's Chromium through playwright-core with the flags this machine needs (no
// background networking: the machine's closed network refuses those connections).
import { chromium } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Opens `url`, waits for `window.__result`, and returns it with the page's console errors. */
export async function resultOfPage(browser, url, timeoutMs = 60_000) {
  const page = await browser.newPage();
  const consoleErrors = [];
  page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
  page.on("pageerror", (error) => consoleErrors.push(String(error)));
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: timeoutMs });
    return { result: await page.evaluate(() => window.__result), consoleErrors };
  } catch (error) {
    return { result: { passed: [], failed: [{ name: "page", error: String(error) }] }, consoleErrors };
  } finally {
    await page.close();
  }
}
