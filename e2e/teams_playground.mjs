// The real-client test of the Teams face (`make e2e-teams`): the Microsoft 365 Agents Playground
// (Microsoft's local Teams client) against a local `advisor serve` in emulator mode, driven in
// headless Chromium. It asks a question, votes twice with Teams' feedback buttons, clicks through
// the whole interview to the recommendation, runs a check, presses a stale button while another
// interview is open (it must ask, not restart), subscribes to and previews a digest,
// and fails on any page error or any click the bot did not answer. Everything stays on
// 127.0.0.1: requests the page makes elsewhere (Microsoft's font CDN) are blocked and listed.
//
// Screenshots and report.json go to e2e/out/. Environment: CHROMIUM (default /usr/bin/chromium),
// ADVISOR (default ../.venv/bin/advisor), BOT_PORT (39781), PLAYGROUND_PORT (56150).

import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const out = path.join(here, "out");
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
const advisor = process.env.ADVISOR || path.join(root, ".venv", "bin", "advisor");
const botPort = Number(process.env.BOT_PORT || 39781);
const playgroundPort = Number(process.env.PLAYGROUND_PORT || 56150);
const TENANT = "00000000-0000-0000-0000-0000000000001"; // the Playground's default tenant
const CLICK_TIMEOUT_MS = 20_000;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

const report = {
  clicks: 0, answered: 0, unanswered: [], pageErrors: [], failedResponses: [],
  blockedRequests: {}, feedbackRows: null, interviewQuestions: 0, screenshots: [], checks: [],
};
const children = [];

function check(ok, what) {
  report.checks.push({ ok: Boolean(ok), what });
  if (!ok) console.error(`✗ ${what}`);
}

function start(command, args, env, logName, cwd) {
  const log = fs.openSync(path.join(out, logName), "w");
  const child = spawn(command, args, {
    cwd, env: { ...process.env, ...env }, stdio: ["ignore", log, log],
  });
  children.push(child);
  return child;
}

async function waitFor(what, probe, timeoutMs = 90_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try { if (await probe()) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function main() {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "advisor-e2e-"));
  const env = { ADVISOR_DATA_DIR: data, ADVISOR_LOG_LEVEL: "INFO" };
  const run = (...args) => execFileSync(advisor, args, { env: { ...process.env, ...env }, stdio: "pipe" });
  run("demo");
  run("tenants", "add", "northwind", "--teams-tenant", TENANT);

  start(advisor, ["serve", "--host", "127.0.0.1", "--port", String(botPort)], env, "advisor.log");
  await waitFor("advisor serve", async () => (await fetch(`http://127.0.0.1:${botPort}/readyz`)).ok);
  const cli = path.join(here, "node_modules", "@microsoft", "m365agentsplayground", "cli.js");
  start(process.execPath, [cli, "-e", `http://127.0.0.1:${botPort}/api/messages`, "-c", "msteams",
    "-p", String(playgroundPort), "--disable-telemetry"], { BROWSER: "none" }, "playground.log", data);
  await waitFor("the Playground", async () => (await fetch(`http://127.0.0.1:${playgroundPort}/`)).ok);

  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      `--user-data-dir=${fs.mkdtempSync(path.join(os.tmpdir(), "advisor-e2e-chromium-"))}`],
  });
  const page = await browser.newPage();
  try {
    await drive(page, path.join(data, "advisor.db"));
  } catch (error) {
    fs.writeFileSync(path.join(out, "failure.html"), await page.content());
    await page.screenshot({ path: path.join(out, "failure.png"), fullPage: true });
    throw error;
  } finally {
    await browser.close();
  }
  report.feedbackRows = feedbackRows(path.join(data, "advisor.db"));
}

async function drive(page, db) {
  await page.setViewport({ width: 1280, height: 1600 });
  page.on("pageerror", (e) => report.pageErrors.push(String(e.message || e)));
  page.on("response", (r) => {
    if (new URL(r.url()).hostname === "127.0.0.1" && r.status() >= 400) {
      report.failedResponses.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    }
  });
  await page.setRequestInterception(true);
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.protocol.startsWith("http") && !LOOPBACK.has(url.hostname)) {
      report.blockedRequests[url.hostname] = (report.blockedRequests[url.hostname] || 0) + 1;
      r.abort();
    } else {
      r.continue();
    }
  });
  await page.goto(`http://127.0.0.1:${playgroundPort}/`, { waitUntil: "networkidle0" });
  const ui = new Playground(page, db);
  await ui.waitForMessages(1); // the bot's greeting on install

  // 1. A question: paragraphs and a list, each citation once, Teams' own feedback buttons.
  await ui.say("Our pilot stalled after the demo, what now?");
  const answer = await ui.lastMessageWith("Run the assessment", { before: 1 });
  const shape = await answer.evaluate((el) => ({
    items: el.querySelectorAll("li").length,
    text: el.innerText,
  }));
  check(shape.items >= 2, `the answer's quotes render as a list (${shape.items} items)`);
  check(!shape.text.includes("\\["), "no escaped citation markers in the answer");
  await ui.shot("01-answer");

  // 2. Feedback twice on the same answer: one stored vote, updated.
  await ui.feedback(answer, "positive", "Clear and to the point");
  await ui.feedback(answer, "negative", "On second thought, too long");
  await ui.shot("02-feedback");

  // 3. The interview, clicked through to the recommendation.
  await ui.click("Run the assessment");
  for (let i = 0; i < 30; i += 1) {
    const card = await ui.lastCard();
    const labels = await card.$$eval("button", (bs) => bs.map((b) => b.getAttribute("aria-label")));
    if (labels.includes("Start over") || !labels.includes("Cancel")) break;
    report.interviewQuestions += 1;
    const choice = labels.includes("Series A/B") ? "Series A/B"
      : (i === 1 || i === 5) ? "Yes" : labels.includes("No") ? "No" : labels[0];
    const clicked = await ui.click(choice, { card });
    const shown = await clicked.evaluate((el) => el.innerText);
    check(shown.includes(`: ${choice}`), `answered card ${i + 1} shows its label (${choice})`);
    if (i === 0) await ui.shot("03-first-answered");
  }
  const result = await ui.lastCard();
  const resultText = await result.evaluate((el) => el.innerText);
  check(/Confidence/.test(resultText) && /Sources/.test(resultText), "the recommendation card");
  await ui.shot("04-recommendation");

  // 4. A check, and a stale button while its questions are open: asked, never restarted.
  await ui.say("check We are a Series A startup; our AI pilot stalled after the demo and the "
    + "founders are firefighting every night. We have no CTO.");
  await ui.waitForText("Trigger check");
  await ui.shot("05-check");
  if (!(await ui.hasButton("Cancel"))) { // the check read everything: open an interview to leave
    await ui.click("Run the full assessment");
    const first = await ui.lastCard();
    const labels = await first.$$eval("button", (bs) => bs.map((b) => b.getAttribute("aria-label")));
    check(labels.includes("Cancel"), `"Run the full assessment" opens a question (${labels.join(", ")})`);
    const choice = labels.includes("Series A/B") ? "Series A/B" : labels[0];
    const clicked = await ui.click(choice, { card: first });
    check((await clicked.evaluate((el) => el.innerText)).includes(`: ${choice}`),
      `the reopened interview's answered card shows its label (${choice})`);
  }
  const open = await ui.lastCard();
  const asked = await open.evaluate((el) => el.innerText.split("\n")[0]);
  await ui.click("Run the assessment", { first: true }); // the stale button from step 1
  await ui.waitForText("in progress here");
  check(await ui.hasButton("Go on"), "a stale button asks before restarting a live interview");
  await ui.click("Go on");
  const resumed = await (await ui.lastCard()).evaluate((el) => el.innerText.split("\n")[0]);
  check(resumed === asked, `"Go on" shows the open question again (${asked} / ${resumed})`);
  await ui.shot("06-in-progress");
  await ui.click("Cancel");

  // 5. The digest: subscribe, preview.
  await ui.say("digest subscribe monday 9:00 Europe/Amsterdam");
  await ui.waitForText("will get the weekly digest");
  await ui.say("digest preview");
  await ui.waitForText("Weekly AI leadership digest");
  await ui.shot("07-digest");

  // 6. Something the bot does not cover points at help.
  await ui.say("qwzx blorft");
  await ui.waitForText("Type help");
  await ui.shot("08-not-covered");
}

class Playground {
  constructor(page, db) { this.page = page; this.db = db; }

  async messages() { return this.page.$$(".fai-OutputCard"); }

  async waitForMessages(n) {
    await waitFor(`${n} bot messages`, async () => (await this.messages()).length >= n, 30_000);
  }

  async say(text) {
    const box = await this.page.waitForSelector('[role="textbox"][contenteditable="true"]');
    await box.click();
    await this.page.keyboard.type(text);
    const before = (await this.messages()).length;
    await this.page.keyboard.press("Enter");
    await this.waitForMessages(before + 1);
  }

  async waitForText(text) {
    await waitFor(`"${text}"`, async () => {
      const all = await this.page.$$eval(".fai-OutputCard", (els) => els.map((e) => e.innerText));
      return all.some((t) => t.includes(text));
    }, CLICK_TIMEOUT_MS);
  }

  async lastMessageWith(buttonLabel, { before = 0 } = {}) {
    await waitFor(buttonLabel, async () => this.hasButton(buttonLabel), CLICK_TIMEOUT_MS);
    const all = await this.messages();
    for (let i = all.length - 1; i >= 0; i -= 1) {
      if (await all[i].$(`button[aria-label="${buttonLabel}"]`)) return all[i - before];
    }
    throw new Error(`no message with ${buttonLabel}`);
  }

  async hasButton(label) {
    return Boolean(await this.page.$(`.ac-adaptiveCard button[aria-label="${label}"]`));
  }

  async lastCard() {
    const cards = await this.page.$$(".fai-OutputCard .ac-adaptiveCard");
    return cards[cards.length - 1];
  }

  // Click a card button; the click is answered when a new bot message arrives or the
  // clicked card changes. Returns the clicked card (as it reads afterwards).
  async click(label, { card = null, first = false } = {}) {
    let scope = card;
    if (!scope) {
      const cards = await this.page.$$(".fai-OutputCard .ac-adaptiveCard");
      const withButton = [];
      for (const c of cards) if (await c.$(`button[aria-label="${label}"]`)) withButton.push(c);
      scope = first ? withButton[0] : withButton[withButton.length - 1];
    }
    const button = scope && (await scope.$(`button[aria-label="${label}"]`));
    if (!button) throw new Error(`no button "${label}"`);
    const before = (await this.messages()).length;
    const was = await scope.evaluate((el) => el.innerText);
    report.clicks += 1;
    await button.click();
    try {
      await waitFor(`an answer to "${label}"`, async () => (await this.messages()).length > before
        || (await scope.evaluate((el) => el.innerText)) !== was, CLICK_TIMEOUT_MS);
      await new Promise((r) => setTimeout(r, 400)); // let the replaced card settle
      report.answered += 1;
    } catch {
      report.unanswered.push(label);
      await this.shot(`unanswered-${report.unanswered.length}`);
    }
    return scope;
  }

  // Teams' own feedback buttons: 👍/👎 opens a dialog; the vote is answered when the bot has
  // stored it (the Playground sends it over its websocket, so the database is what we read).
  async feedback(message, kind, comment) {
    await message.hover();
    const button = await message.evaluateHandle((el, cls) => { // the buttons sit beside the bubble
      for (let up = el; up; up = up.parentElement) {
        const found = up.querySelector(cls);
        if (found) return found;
      }
      return null;
    }, `.fai-FeedbackButtons__${kind}FeedbackButton`);
    const before = JSON.stringify(feedbackRows(this.db));
    report.clicks += 1;
    await button.click();
    const box = await this.page.waitForSelector('[role="dialog"] textarea', { visible: true });
    await box.type(comment);
    const submit = await this.page.evaluateHandle(() => [...document.querySelectorAll(
      '[role="dialog"] button')].find((b) => b.innerText.trim() === "Submit"));
    await submit.click();
    try {
      await waitFor(`the ${kind} vote stored`,
        async () => JSON.stringify(feedbackRows(this.db)) !== before, CLICK_TIMEOUT_MS);
      report.answered += 1;
    } catch {
      report.unanswered.push(`feedback ${kind}`);
    }
    const close = await this.page.evaluateHandle(() => [...document.querySelectorAll(
      '[role="dialog"] button')].find((b) => b.innerText.trim() === "Close"));
    if (close.asElement()) await close.click();
    await waitFor("the feedback dialog to close", async () => !(await this.page.$('[role="dialog"]')));
  }

  async shot(name) {
    const file = path.join(out, `${name}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    report.screenshots.push(path.relative(root, file));
  }
}

function feedbackRows(db) {
  const python = path.join(path.dirname(advisor), "python"); // the venv advisor runs in
  const code = "import sqlite3,sys,json;c=sqlite3.connect(sys.argv[1]);"
    + "print(json.dumps(c.execute(\"select answer_id, helpful, comment from feedback "
    + "where channel='teams'\").fetchall()))";
  return JSON.parse(execFileSync(python, ["-c", code, db]).toString());
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  report.error = String(error.stack || error);
} finally {
  for (const child of children) child.kill("SIGTERM");
}
const rows = report.feedbackRows || [];
check(rows.length === 1 && rows[0][1] === 0, `two votes on one answer: one row, the latest (${JSON.stringify(rows)})`);
check(report.pageErrors.length === 0, `no page errors (${report.pageErrors.length})`);
const apiFailures = report.failedResponses.filter((r) => !r.endsWith("/favicon.ico"));
check(apiFailures.length === 0, `no failed calls to the Playground (${apiFailures.join("; ")})`);
check(report.unanswered.length === 0, `every click answered (${report.answered}/${report.clicks})`);
fs.writeFileSync(path.join(out, "report.json"), JSON.stringify(report, null, 2));
failed ||= report.checks.some((c) => !c.ok);
console.log(JSON.stringify({ clicks: report.clicks, answered: report.answered,
  pageErrors: report.pageErrors.length, interviewQuestions: report.interviewQuestions,
  blocked: report.blockedRequests, failed: report.checks.filter((c) => !c.ok).map((c) => c.what),
  error: report.error }, null, 2));
process.exit(failed ? 1 : 0);
