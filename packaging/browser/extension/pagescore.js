// pagescore.js: scores a page as core/pagescore.c does, from the rules in
// wording.js (core/pagewords.def). Both scorers must give the same score for
// the same title, text and indicators: tests/data/pagescore.jsonl holds them
// to it. It keeps no state; relay.js calls it.
//
// The C scorer works on UTF-8 bytes; this one works on code points, and
// counts the UTF-8 bytes only where the C scorer's limit is in bytes
// (TEXT_MAX). Characters are code points in both.
"use strict";

globalThis.rdguardPageScore = (() => {
  const W = globalThis.rdguardWording;
  const TEXT_MAX = 8192; // bytes of title and text looked at (pagescore.c)
  const FIND_MIN = 7; // digits of a phone number (phone.c)
  const FIND_MAX = 15;
  const SCAM = 0;
  const BRAND = 1;

  // The phrases as code-point arrays, by strength, found by their first
  // code point (a page's text is long; pagescore.c's is at most 8 KiB).
  const byFirst = new Map();
  for (const [strength, , words] of W.phrases) {
    const cps = Array.from(words, (ch) => ch.codePointAt(0));
    if (!byFirst.has(cps[0])) byFirst.set(cps[0], []);
    byFirst.get(cps[0]).push({ strength: strength === "scam" ? SCAM : BRAND,
      cps });
  }

  // The lowercase of a code point in the Latin ranges the wording uses
  // (pagescore.c's lower; String.toLowerCase would change more).
  function lower(c) {
    if (c >= 0x41 && c <= 0x5a) return c + 32;
    if (c >= 0xc0 && c <= 0xde && c !== 0xd7) return c + 32;
    if ((c >= 0x100 && c <= 0x137) || (c >= 0x14a && c <= 0x177))
      return c % 2 === 0 ? c + 1 : c;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
      return c % 2 === 1 ? c + 1 : c;
    return c;
  }

  function isLetter(c) {
    return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) ||
      (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7);
  }

  // Unicode's White_Space (pagescore.c's is_space).
  function isSpace(c) {
    return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 ||
      c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
      c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f ||
      c === 0x3000;
  }

  function utf8Length(c) {
    return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }

  // Appends s, normalised, to out ({cps, bytes}); keeps the case when
  // keepCase (for the words shown to people, which must line up with the
  // normalised ones code point for code point).
  function normalise(s, out, keepCase, max) {
    for (const ch of s) {
      if (out.bytes + 4 >= max) break;
      let c = ch.codePointAt(0);
      if (c === 0x2019 || c === 0x2018) c = 0x27;
      if (isSpace(c)) {
        if (out.cps.length > 0 && out.cps[out.cps.length - 1] !== 0x20) {
          out.cps.push(0x20);
          out.bytes += 1;
        }
        continue;
      }
      if (!keepCase) c = lower(c);
      out.cps.push(c);
      out.bytes += utf8Length(c);
    }
  }

  // The title and the text, with white space between them, in at most
  // max bytes.
  function pageText(title, text, keepCase, max) {
    const out = { cps: [], bytes: 0 };
    normalise(title || "", out, keepCase, max);
    normalise(" ", out, keepCase, max);
    normalise(text || "", out, keepCase, max);
    return out.cps;
  }

  // ---- phone numbers (core/phone.c's phone_find) ----
  const isDigit = (c) => c >= 0x30 && c <= 0x39;
  const isAsciiLetter = (c) =>
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
  const isSeparator = (c) =>
    c === 0x20 || c === 0x2d || c === 0x2e || c === 0x2f || c === 0x28 ||
    c === 0x29;

  function digitRun(t, i) {
    let digits = 0;
    let gap = 0;
    let end = i;
    for (; i < t.length; i++) {
      if (isDigit(t[i])) {
        digits++;
        gap = 0;
        end = i + 1;
      } else if (isSeparator(t[i]) && ++gap <= 2) {
        continue;
      } else {
        break;
      }
    }
    return { digits, end };
  }

  // [{at, len}] of every phone number in t.
  function findNumbers(t) {
    const found = [];
    let i = 0;
    while (i < t.length) {
      const c = t[i];
      if (!isDigit(c) && c !== 0x2b && c !== 0x28) {
        i++;
        continue;
      }
      if (i > 0 && (isDigit(t[i - 1]) || isAsciiLetter(t[i - 1]))) {
        i++;
        continue;
      }
      const run = digitRun(t, c === 0x2b ? i + 1 : i);
      if (run.digits >= FIND_MIN && run.digits <= FIND_MAX)
        found.push({ at: i, len: run.end - i });
      i = run.end > i ? run.end : i + 1;
    }
    return found;
  }

  // ---- the wording ----
  function matchesAt(t, at, cps) {
    if (at + cps.length > t.length) return false;
    for (let k = 0; k < cps.length; k++)
      if (t[at + k] !== cps[k]) return false;
    return at + cps.length === t.length || !isLetter(t[at + cps.length]);
  }

  function nearANumber(at, numbers) {
    return numbers.some((n) => Math.abs(at - n.at) <= W.near);
  }

  // {found: [scam, brand], near: [scam, brand], places: [{at, len,
  // strength}]}: every phrase that starts a word.
  function findWording(t, numbers) {
    const w = { found: [false, false], near: [false, false], places: [] };
    for (let at = 0; at < t.length; at++) {
      if (at > 0 && isLetter(t[at - 1])) continue;
      for (const ph of byFirst.get(t[at]) || []) {
        if (!matchesAt(t, at, ph.cps)) continue;
        w.found[ph.strength] = true;
        w.places.push({ at, len: ph.cps.length, strength: ph.strength });
        if (!w.near[ph.strength] && nearANumber(at, numbers))
          w.near[ph.strength] = true;
      }
    }
    return w;
  }

  function wordingPoints(w) {
    let points = 0;
    if (w.found[SCAM]) points += W.rules["scam-words"];
    else if (w.found[BRAND]) points += W.rules["brand-words"];
    if (w.near[SCAM]) points += W.rules["scam-near-number"];
    else if (w.near[BRAND]) points += W.rules["brand-near-number"];
    return points;
  }

  // Scores a page: its title and text (strings, either may be empty) and
  // the names of the signs it showed. Returns {score, indicators (the
  // names that counted, phone-number included when the text has one),
  // scamWords, brandWords}.
  function score(title, text, shown) {
    const t = pageText(title, text, false, TEXT_MAX);
    const numbers = findNumbers(t);
    const signs = new Set(shown.filter((s) => W.signs.some(([n]) => n === s)));
    if (numbers.length > 0) signs.add("phone-number");
    let points = 0;
    for (const [name, value] of W.signs) if (signs.has(name)) points += value;
    if (signs.has("phone-number")) points += W.rules["phone-number"];
    const w = findWording(t, numbers);
    points += wordingPoints(w);
    return {
      score: Math.min(points, 100),
      indicators: W.signs.map(([n]) => n).filter((n) => signs.has(n)),
      scamWords: w.found[SCAM],
      brandWords: w.found[BRAND],
    };
  }

  // Where the numbers and the wording are in a page's text (up to max
  // bytes of it), as code-point places in the text's display form (white
  // space collapsed, case kept), for choosing the words to send.
  function places(text, max) {
    const t = pageText("", text, false, max);
    const numbers = findNumbers(t);
    const w = findWording(t, numbers);
    return {
      display: pageText("", text, true, max),
      numbers,
      wording: w.places,
    };
  }

  return Object.freeze({ score, places, textMax: TEXT_MAX });
})();
