#!/usr/bin/python3
"""test_readability: the English warnings read at Flesch reading ease 60
or more: short words and short sentences, for a reader who may be 85.

Checked are the sentences a person at the computer reads: the warning and
its steps (warn.*), the notices (notice.*), the help page (help.*), the PIN
dialog (pin.*), the line on a terminal (tty.*) and the reasons (reason.*).
Holes are filled with typical values first, as the person would see them.
"""

import importlib.util
import os
import re
import unittest

SOURCE = os.environ.get("RDG_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "../.."))
EXAMPLES = {"tool": "AnyDesk", "age": "2 minutes", "folder": "Downloads",
            "n": "3", "id": "7", "name": "Maria", "phone": "0151 2345678",
            "time": "10:42", "package": "anydesk", "minutes": "30",
            "caller": "+44 20 7946 0000", "site": "alert.example"}
MINIMUM = 60.0

# The messages a person reads, made of sentences as the notifier and the
# daemon put them together: a warning's title and body, each step after
# "Allow…", each notice, the PIN dialog, the help page, the terminal line.
# Flesch is about running text, so titles and buttons count as part of the
# message they stand in, not alone.
WHAT = "warn.what-to-do"
MESSAGES = {
    "warning, new file": ["warn.summary", "warn.why.fresh-file", WHAT,
                          "warn.contact"],
    "warning, from Downloads": ["warn.summary", "warn.why.user-writable",
                                WHAT, "warn.contact-no-phone"],
    "warning, not installed": ["warn.summary", "warn.why.not-packaged", WHAT],
    "warning, other": ["warn.summary", "warn.why.other", WHAT],
    "test warning": ["warn.summary", "warn.why.fresh-file", WHAT,
                     "warn.test"],
    "the pause": ["warn.pause.summary", "warn.pause.body", WHAT],
    "the second question": ["warn.confirm.summary", "warn.confirm.body", WHAT,
                            "warn.button.allow-now"],
    "ask an administrator": ["warn.summary", "warn.needs-admin",
                             "warn.why.fresh-file", WHAT],
    "wrong PIN": ["warn.summary", "warn.pin-wrong", "warn.why.fresh-file",
                  WHAT],
    "too many wrong PINs": ["warn.summary", "warn.pin-locked",
                            "warn.why.fresh-file", WHAT],
    "no PIN set": ["warn.summary", "warn.no-pin", "warn.why.fresh-file",
                   WHAT],
    "warning, during a call": ["warn.summary", "reason.signal.call-now",
                               WHAT, "warn.contact"],
    "warning, after a fake warning page": [
        "warn.summary", "reason.signal.scam-page", WHAT],
    "warning, while sharing the screen": [
        "warn.summary", "reason.signal.remote-desktop-now", WHAT],
    "running tool stopped, during a call": [
        "warn.summary-running", "reason.signal.call-now", WHAT],
    "running tool stopped, after a call": [
        "warn.summary-running", "reason.signal.call", WHAT],
    "allowed": ["warn.allowed", WHAT],
    "ended": ["warn.ended", WHAT],
    "notice": ["notice.notify.summary", "notice.notify.body"],
    "careful notice": ["notice.warn.summary", "notice.warn.body"],
    "notice, running": ["notice.notify.running-summary",
                        "reason.signal.trusted-call-now",
                        "notice.notify.body"],
    "careful notice, running": ["notice.warn.running-summary",
                                "reason.signal.call-hidden-now",
                                "notice.warn.body"],
    "blocked notice": ["notice.block.summary", "notice.block.body"],
    "PIN dialog": ["pin.title", "pin.label"],
    "help page": ["help.title", "help.what", "help.scam", "help.stopped",
                  "help.do", "help.never", "help.safe"],
    "terminal, ended": ["tty.ended"],
    "terminal, held": ["tty.held"],
}


def english_by_key():
    spec = importlib.util.spec_from_file_location(
        "make_pot", os.path.join(SOURCE, "po/make-pot.py"))
    make_pot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_pot)
    return {key: (many or one)[1:-1].replace("\\n", "\n")
            for _, key, one, many in make_pot.entries(
                os.path.join(SOURCE, "core/text.def"))}


def message(keys, english):
    """The sentences of keys, holes filled, each ending as a sentence."""
    parts = []
    for key in keys:
        text = filled(english[key])
        parts.append(text if text.rstrip().endswith((".", "?", "!", "…"))
                     else text + ".")
    return " ".join(parts)


def syllables(word):
    """An estimate, good enough for Flesch: vowel groups, less a silent e."""
    word = re.sub(r"[^a-z]", "", word.lower())
    if not word:
        return 0
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups)
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(count, 1)


def flesch(text):
    """206.835 - 1.015 (words / sentences) - 84.6 (syllables / words)."""
    words = re.findall(r"[A-Za-z0-9'’:/.-]+", text)
    words = [w for w in words if re.search(r"[A-Za-z0-9]", w)]
    sentence_count = max(1, len(re.findall(r"[.!?…]+(\s|$)", text)))
    syllable_count = sum(syllables(w) if re.search(r"[A-Za-z]", w) else 1
                         for w in words)
    return (206.835 - 1.015 * len(words) / sentence_count -
            84.6 * syllable_count / len(words))


def filled(template):
    return re.sub(r"\{(\w+)\}", lambda m: EXAMPLES.get(m.group(1), "it"),
                  template)


class ReadabilityTest(unittest.TestCase):

    def test_the_estimate_agrees_with_known_texts(self):
        self.assertGreater(flesch("The cat sat on the mat."), 100)
        self.assertLess(flesch("Consequently, organisational responsibilities "
                               "necessitate comprehensive documentation."), 0)
        self.assertEqual(syllables("computer"), 3)
        self.assertEqual(syllables("phone"), 1)

    def test_every_english_warning_reads_at_60_or_more(self):
        english = english_by_key()
        hard = []
        for name, keys in MESSAGES.items():
            missing = [k for k in keys if k not in english]
            self.assertEqual(missing, [], f"{name}: no such sentence")
            text = message(keys, english)
            score = flesch(text)
            print(f"{score:5.1f}  {name}")
            if score < MINIMUM:
                hard.append(f"{name}: {score:.0f}: {text}")
        self.assertEqual(hard, [], "\n" + "\n".join(hard))

    def test_every_warning_sentence_belongs_to_a_checked_message(self):
        english = english_by_key()
        used = {k for keys in MESSAGES.values() for k in keys}
        person = [k for k in english if k.startswith(
            ("warn.", "notice.", "help.", "pin.", "tty."))]
        buttons = {"warn.button.block", "warn.button.allow",
                   "warn.button.help", "pin.ok", "pin.cancel"}
        self.assertEqual(sorted(set(person) - used - buttons), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
