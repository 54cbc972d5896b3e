// relay.js: the extension's own world in every frame. It collects what
// page-watch.js saw the page do and what the page says (its title and
// text, the words of its dialogs and speech), scores the page with
// pagescore.js, and from the score wording.js names (PAGE_REPORT_AT) on
// tells the background, once, and again only when the score rose.
//
// What it tells: the page's origin (never its address or history), its
// title, at most EXCERPT_MAX bytes of its text around a phone number or
// scam wording, and the names of the signs. The excerpt is chosen so that
// rdguardd, which scores the report again itself, gives it this score.
(() => {
  "use strict";

  const api = globalThis.browser ?? globalThis.chrome;
  const scorer = globalThis.rdguardPageScore;
  const wording = globalThis.rdguardWording;
  const EVENT = "rdguard-page-sign";

  const TITLE_MAX = 256; // characters of the title sent
  const EXCERPT_MAX = 1024; // bytes of text sent
  const EXCERPT_BEFORE = 400; // of which before the number or the wording
  const CORPUS_MAX = 64 * 1024; // bytes of a page's text looked at
  const ANCHORS_MAX = 24; // places an excerpt may be taken around
  const SAID_MAX = 16; // dialogs and speech remembered
  const DIALOG_LOOP = 3; // dialogs, each opened soon after the last closed,
  const DIALOG_GAP_MS = 3000; // make a loop
  const FLOOD_WINDOW_MS = 2000; // history entries within this long
  const PUSH_FLOOD = 10; // pushState calls that fill the Back button
  const REPLACE_FLOOD = 50; // any history calls
  const SCAN_EVERY_MS = 500; // while the page keeps changing,
  const SCANS_MAX = 60; // at most this many times

  const signs = new Set();
  const said = [];
  const dialogs = { chain: 0, lastClosed: -Infinity };
  const pushes = [];
  const changes = [];
  let sent = 0; // the score last sent
  let scans = 0;
  let scanTimer = null;

  // ---- what the page did ----

  function onSign(event) {
    let note;
    try {
      note = JSON.parse(event.detail);
    } catch (e) {
      return;
    }
    if (!note || typeof note.sign !== "string") return;
    const now = performance.now();
    switch (note.sign) {
      case "dialog":
        remember(note.said);
        dialogs.chain = now - dialogs.lastClosed <= DIALOG_GAP_MS ?
          dialogs.chain + 1 : 1;
        if (dialogs.chain >= DIALOG_LOOP) signs.add("alert-loop");
        break; // scored now: the dialog will stop this script too
      case "dialog-closed":
        dialogs.lastClosed = now;
        return;
      case "push":
      case "replace":
        if (!historyFlooded(note.sign, now)) return;
        signs.add("history-flood");
        break;
      case "speech":
        remember(note.said);
        signs.add("speech");
        break;
      default:
        if (!wording.signs.some(([name]) => name === note.sign)) return;
        if (signs.has(note.sign)) return;
        signs.add(note.sign);
    }
    evaluate();
  }

  function remember(words) {
    if (typeof words === "string" && words !== "" && said.length < SAID_MAX &&
      !said.includes(words))
      said.push(words);
  }

  function recent(list, now) {
    list.push(now);
    while (list.length > 0 && now - list[0] > FLOOD_WINDOW_MS) list.shift();
    return list.length;
  }

  function historyFlooded(kind, now) {
    if (signs.has("history-flood")) return false;
    const all = recent(changes, now);
    const pushed = kind === "push" ? recent(pushes, now) : pushes.length;
    return pushed >= PUSH_FLOOD || all >= REPLACE_FLOOD;
  }

  // What the browser itself reports, in case the page got round the
  // wrappers (a function taken from a fresh frame, say).
  function onFullscreen() {
    if (document.fullscreenElement || document.webkitFullscreenElement)
      note("fullscreen");
  }

  function onPointerLock() {
    if (document.pointerLockElement) note("pointer-lock");
  }

  function note(sign) {
    if (signs.has(sign)) return;
    signs.add(sign);
    evaluate();
  }

  // ---- what the page says ----

  function pageText() {
    const root = document.body || document.documentElement;
    let text = "";
    try {
      text = root ? (root.innerText ?? root.textContent ?? "") : "";
    } catch (e) {
      text = "";
    }
    if (text.length > CORPUS_MAX) text = text.slice(0, CORPUS_MAX);
    return said.length > 0 ? text + "\n" + said.join("\n") : text;
  }

  function utf8Length(c) {
    return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }

  // The code points of display around place a: up to EXCERPT_BEFORE bytes
  // before it, EXCERPT_MAX bytes in all, cut at spaces where one is near.
  function excerptAround(display, a) {
    let start = a;
    let bytes = 0;
    while (start > 0 && bytes + utf8Length(display[start - 1]) <=
      EXCERPT_BEFORE)
      bytes += utf8Length(display[--start]);
    let end = a;
    while (end < display.length && bytes + utf8Length(display[end]) <=
      EXCERPT_MAX)
      bytes += utf8Length(display[end++]);
    const space = 0x20;
    if (start > 0) {
      const s = display.indexOf(space, start);
      if (s !== -1 && s < a && s - start < 40) start = s + 1;
    }
    if (end < display.length) {
      const e = display.lastIndexOf(space, end);
      if (e > a && end - e < 40) end = e;
    }
    return String.fromCodePoint(...display.slice(start, end));
  }

  // The title, the excerpt and the score: of all the places a number or
  // scam wording is at, the excerpt around the one that scores highest.
  function bestReport(title, shown) {
    const found = scorer.places(pageText(), CORPUS_MAX);
    const anchors = [
      ...found.numbers.slice(0, ANCHORS_MAX / 2).map((n) => n.at),
      ...found.wording.slice(0, ANCHORS_MAX / 2).map((w) => w.at),
    ];
    let best = { text: "", result: scorer.score(title, "", shown) };
    for (const a of anchors) {
      const text = excerptAround(found.display, a);
      const result = scorer.score(title, text, shown);
      if (result.score > best.result.score) best = { text, result };
    }
    return best;
  }

  function pageTitle() {
    return Array.from(document.title || "").slice(0, TITLE_MAX).join("");
  }

  function origin() {
    const o = location.origin;
    return /^https?:\/\//.test(o) ? o : null;
  }

  // ---- telling the background ----

  function evaluate() {
    let best;
    const title = pageTitle();
    try {
      best = bestReport(title, [...signs]);
    } catch (e) {
      return;
    }
    if (best.result.score < wording.reportAt || best.result.score <= sent)
      return;
    sent = best.result.score;
    const report = { title, text: best.text,
      indicators: best.result.indicators };
    if (origin()) report.url = origin();
    try {
      api.runtime.sendMessage({ rdguardPage: report }).catch(() => {});
    } catch (e) {
      // The extension was reloaded or removed: this page is no longer ours.
    }
  }

  // The page's words change as its scripts run: look again a little later,
  // a bounded number of times.
  function scanSoon() {
    if (scanTimer !== null || scans >= SCANS_MAX) return;
    scanTimer = setTimeout(() => {
      scanTimer = null;
      scans++;
      evaluate();
    }, SCAN_EVERY_MS);
  }

  function onLoaded() {
    if (document.body && document.body.hasAttribute("onbeforeunload"))
      signs.add("beforeunload");
    evaluate();
    new MutationObserver(scanSoon).observe(document, { childList: true,
      subtree: true, characterData: true });
  }

  window.addEventListener(EVENT, onSign, true);
  document.addEventListener("fullscreenchange", onFullscreen, true);
  document.addEventListener("webkitfullscreenchange", onFullscreen, true);
  document.addEventListener("pointerlockchange", onPointerLock, true);
  if (document.readyState === "loading")
    document.addEventListener("DOMContentLoaded", onLoaded, { once: true });
  else
    onLoaded();
  window.addEventListener("load", () => evaluate(), { once: true });
})();
