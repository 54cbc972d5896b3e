// page-watch.js: runs in the page's own world, before any of the page's
// scripts (document_start, every frame), and notes what scam pages do:
// asking for full screen, locking the keyboard or the pointer, dialogs,
// traps on leaving, filling the history, sound and speech that start by
// themselves. It judges nothing and sends nothing out: it tells relay.js
// (the extension's own world) each thing as it happens, by a DOM event.
//
// The page can see and call everything here, so: every browser function it
// uses is taken before the page runs; every wrapper calls the page's
// original function exactly as before, whatever happens in the watching;
// and the only thing a page gains by faking an event is a higher score for
// itself.
(() => {
  "use strict";

  const EVENT = "rdguard-page-sign";
  const SAID_MAX = 500; // characters of a dialog's or speech's words passed on
  const win = window;
  const apply = Reflect.apply;
  const describe = Object.getOwnPropertyDescriptor;
  const define = Object.defineProperty;
  const dispatch = EventTarget.prototype.dispatchEvent;
  const listen = EventTarget.prototype.addEventListener;
  const Custom = CustomEvent;
  const stringify = JSON.stringify;
  const slice = String.prototype.slice;

  // A getter of proto's property, taken now; or a function returning
  // undefined when the browser has no such property.
  function getter(proto, name) {
    const d = proto && describe(proto, name);
    return d && d.get ? d.get : () => undefined;
  }
  const userActivation = navigator.userActivation;
  const isActive = getter(globalThis.UserActivation &&
    UserActivation.prototype, "isActive");
  const media = globalThis.HTMLMediaElement && HTMLMediaElement.prototype;
  const mediaMuted = getter(media, "muted");
  const mediaVolume = getter(media, "volume");
  const mediaLoop = getter(media, "loop");
  const audioContext = globalThis.BaseAudioContext &&
    BaseAudioContext.prototype;
  const contextState = getter(audioContext, "state");
  const sourceContext = getter(globalThis.AudioNode && AudioNode.prototype,
    "context");
  const bufferLoop = getter(globalThis.AudioBufferSourceNode &&
    AudioBufferSourceNode.prototype, "loop");
  const utteranceText = getter(globalThis.SpeechSynthesisUtterance &&
    SpeechSynthesisUtterance.prototype, "text");

  function tell(sign, said) {
    try {
      const detail = { sign };
      if (typeof said === "string") detail.said = apply(slice, said,
        [0, SAID_MAX]);
      apply(dispatch, win, [new Custom(EVENT, { detail: stringify(detail) })]);
    } catch (e) {
      // The watching must never break the page.
    }
  }

  // Whether the person has just clicked or typed (transient activation):
  // a sound they start themselves is not a sound that starts by itself.
  function personActing() {
    try {
      return userActivation ? apply(isActive, userActivation, []) === true :
        false;
    } catch (e) {
      return false;
    }
  }

  // Replaces target[name] by a function that calls watch(this, args) and
  // then the original, and returns what the original returns.
  function wrap(target, name, watch) {
    const d = target && describe(target, name);
    if (!d || typeof d.value !== "function") return;
    const original = d.value;
    const wrapper = {
      [name](...args) {
        try {
          watch(this, args);
        } catch (e) {
          // as in tell()
        }
        return apply(original, this, args);
      },
    }[name];
    define(target, name, { ...d, value: wrapper });
  }

  // Replaces the setter of target[name]; watch(this, value) comes first.
  function wrapSetter(target, name, watch) {
    const d = target && describe(target, name);
    if (!d || typeof d.set !== "function") return;
    const original = d.set;
    define(target, name, {
      ...d,
      set(value) {
        try {
          watch(this, value);
        } catch (e) {
          // as in tell()
        }
        return apply(original, this, [value]);
      },
    });
  }

  // Where window's own functions live: on window itself in Chromium and
  // Firefox (the [Global] rule), on Window.prototype in older engines.
  function windowHolder(name) {
    return describe(win, name) ? win : globalThis.Window && Window.prototype;
  }

  // Full screen, asked for by script (an element, or a video).
  const element = globalThis.Element && Element.prototype;
  for (const name of ["requestFullscreen", "webkitRequestFullscreen",
    "webkitRequestFullScreen", "mozRequestFullScreen"])
    wrap(element, name, () => tell("fullscreen"));
  const video = globalThis.HTMLVideoElement && HTMLVideoElement.prototype;
  for (const name of ["webkitEnterFullscreen", "webkitEnterFullScreen"])
    wrap(video, name, () => tell("fullscreen"));

  // The keyboard and the pointer, kept from the person.
  wrap(globalThis.Keyboard && Keyboard.prototype, "lock",
    () => tell("keyboard-lock"));
  for (const name of ["requestPointerLock", "mozRequestPointerLock"])
    wrap(element, name, () => tell("pointer-lock"));

  // Dialogs: each one as it opens (with its words) and as it closes, so
  // that relay.js can tell one dialog after another from a single one. A
  // dialog stops the page and relay.js alike until it is closed.
  for (const name of ["alert", "confirm", "prompt"]) {
    const holder = windowHolder(name);
    const d = holder && describe(holder, name);
    if (!d || typeof d.value !== "function") continue;
    const original = d.value;
    const wrapper = {
      [name](...args) {
        tell("dialog", typeof args[0] === "string" ? args[0] : "");
        try {
          return apply(original, this, args);
        } finally {
          tell("dialog-closed");
        }
      },
    }[name];
    define(holder, name, { ...d, value: wrapper });
  }

  // A trap on leaving: a beforeunload handler on the window (or the body,
  // which stands for it).
  // (A bare addEventListener(…) in the page calls it with no this: the
  // browser takes the window then.)
  wrap(globalThis.EventTarget && EventTarget.prototype, "addEventListener",
    (target, args) => {
      if ((target ?? win) === win && args[0] === "beforeunload")
        tell("beforeunload");
    });
  wrapSetter(windowHolder("onbeforeunload"), "onbeforeunload",
    (target, value) => {
      if (typeof value === "function") tell("beforeunload");
    });
  wrapSetter(globalThis.HTMLBodyElement && HTMLBodyElement.prototype,
    "onbeforeunload", (target, value) => {
      if (typeof value === "function") tell("beforeunload");
    });

  // The history: relay.js counts how fast it is filled.
  const history = globalThis.History && History.prototype;
  wrap(history, "pushState", () => tell("push"));
  wrap(history, "replaceState", () => tell("replace"));

  // Sound that starts by itself: a media element or a Web Audio source
  // that plays, loud enough to hear, while the person is not clicking or
  // typing, or that plays in a loop (an alarm) whoever started it.
  function mediaSounds(el, acting) {
    return !apply(mediaMuted, el, []) && apply(mediaVolume, el, []) > 0 &&
      (apply(mediaLoop, el, []) || !acting);
  }
  // play() may be refused (autoplay rules): the element's "playing" event
  // says it did start. The listener on the window below sees the elements
  // in the page; this one also those made by new Audio() and never put in.
  wrap(media, "play", (el) => {
    const acting = personActing();
    apply(listen, el, ["playing", () => {
      if (mediaSounds(el, acting)) tell("audio");
    }, { once: true }]);
  });
  apply(listen, win, ["playing", (event) => {
    const el = event.target;
    try {
      if (el instanceof HTMLMediaElement && mediaSounds(el, personActing()))
        tell("audio");
    } catch (e) {
      // as in tell()
    }
  }, true]);
  const scheduled = globalThis.AudioScheduledSourceNode &&
    AudioScheduledSourceNode.prototype;
  wrap(scheduled, "start", (node) => {
    const context = apply(sourceContext, node, []);
    if (context && apply(contextState, context, []) !== "running") return;
    let loops = false;
    try {
      loops = apply(bufferLoop, node, []) === true; // buffer sources only
    } catch (e) {
      // an oscillator: it has no loop
    }
    if (loops || !personActing()) tell("audio");
  });

  // Speech, with its words.
  wrap(globalThis.SpeechSynthesis && SpeechSynthesis.prototype, "speak",
    (synth, args) => {
      const said = args[0] ? apply(utteranceText, args[0], []) : "";
      tell("speech", typeof said === "string" ? said : "");
    });
})();
