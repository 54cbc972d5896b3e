// background.js: passes the reports of relay.js on to rdguard on this
// computer, through the native messaging host org.rdguard.native_host
// (rdguard-native-host), one message per report. A service worker in
// Chromium and Chrome, an event page in Firefox; the same code in both.
//
// It checks each report again (only reports from this extension's own
// content scripts, only the expected fields, each bounded) and passes on no
// more than REPORTS_PER_MINUTE, so that a page that reloads itself cannot
// flood rdguard.
"use strict";

const api = globalThis.browser ?? globalThis.chrome;
const HOST = "org.rdguard.native_host";
const TITLE_MAX = 256; // characters
const TEXT_MAX = 1024; // bytes
const INDICATORS_MAX = 16;
const REPORTS_PER_MINUTE = 30;
const sentAt = [];

// The report as the host expects it, or null when it is not one.
function clean(report) {
  if (!report || typeof report !== "object") return null;
  const { title, text, url, indicators } = report;
  if (typeof title !== "string" || Array.from(title).length > TITLE_MAX)
    return null;
  if (typeof text !== "string" ||
    new TextEncoder().encode(text).length > TEXT_MAX)
    return null;
  if (!Array.isArray(indicators) || indicators.length > INDICATORS_MAX ||
    !indicators.every((i) => typeof i === "string" && /^[a-z-]{1,32}$/.test(i)))
    return null;
  const out = { title: title.toWellFormed(), text: text.toWellFormed(),
    indicators };
  if (url !== undefined) {
    if (typeof url !== "string" || !/^https?:\/\/[^/?#]{1,253}$/.test(url))
      return null;
    out.url = url;
  }
  return out;
}

function withinRate(now) {
  while (sentAt.length > 0 && now - sentAt[0] > 60000) sentAt.shift();
  if (sentAt.length >= REPORTS_PER_MINUTE) return false;
  sentAt.push(now);
  return true;
}

api.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== api.runtime.id || !sender.tab || !message ||
    !("rdguardPage" in message))
    return false;
  const report = clean(message.rdguardPage);
  if (!report) {
    sendResponse({ ok: false, error: "bad-report" });
    return false;
  }
  if (!withinRate(Date.now())) {
    sendResponse({ ok: false, error: "too-many-reports" });
    return false;
  }
  api.runtime.sendNativeMessage(HOST, report).then(
    (answer) => {
      if (!answer || answer.ok !== true)
        console.warn("rdguard did not take a page report:", answer);
      sendResponse(answer);
    },
    (error) => {
      console.warn("rdguard-native-host could not be reached:", error);
      sendResponse({ ok: false, error: "no-host" });
    });
  return true; // sendResponse comes later
});
