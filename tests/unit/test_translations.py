#!/usr/bin/python3
"""test_translations: every sentence of core/text.def has every language.

For each po/LANG.po: every key of text.def is there, for the English that
text.def has now (a changed English makes the old translation stale), not
fuzzy, not empty, with every plural form the language needs, and with the
same {holes} as the English: a translation that drops or renames a hole
would show "{tool}" to a frightened person, or nothing at all.
"""

import glob
import importlib.util
import os
import re
import sys
import unittest

SOURCE = os.environ.get("RDG_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "../.."))
TEXT_DEF = os.path.join(SOURCE, "core/text.def")
LANGUAGES = ["de", "es", "fr", "it", "pl"]


def load_make_pot():
    spec = importlib.util.spec_from_file_location(
        "make_pot", os.path.join(SOURCE, "po/make-pot.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def c_string(quoted):
    """The value of a C/PO string literal."""
    return bytes(quoted[1:-1], "utf-8").decode("unicode_escape").encode(
        "latin-1").decode("utf-8")


def sentences():
    """key -> (English, English plural or None)."""
    make_pot = load_make_pot()
    return {key: (c_string(one), c_string(many) if many else None)
            for _, key, one, many in make_pot.entries(TEXT_DEF)}


def read_po(path):
    """(header, {context: entry}); entries are separated by blank lines, as
    msgmerge writes them. An entry has msgid, msgid_plural, msgstr (index ->
    text) and fuzzy."""
    entries = {}
    with open(path, encoding="utf-8") as f:
        blocks = f.read().split("\n\n")
    for block in blocks:
        entry, field = {"fuzzy": False, "msgstr": {}}, None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry = None  # obsolete
                break
            if line.startswith("#,") and "fuzzy" in line:
                entry["fuzzy"] = True
            if line.startswith("#") or not line.strip():
                continue
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line)
            if m:
                name, index, value = m.group(1), m.group(2), c_string(m.group(3))
                field = (name, int(index or 0))
                if name == "msgstr":
                    entry["msgstr"][field[1]] = value
                else:
                    entry[name] = value
            elif line.startswith('"') and field is not None:
                if field[0] == "msgstr":
                    entry["msgstr"][field[1]] += c_string(line)
                else:
                    entry[field[0]] += c_string(line)
        if entry is not None and "msgid" in entry:
            entries[entry.get("msgctxt", "")] = entry
    header = entries.pop("", {}).get("msgstr", {}).get(0, "")
    return header, entries


def holes(s):
    return sorted(set(re.findall(r"\{(\w+)\}", s)))


class TranslationsTest(unittest.TestCase):

    def test_every_sentence_has_every_language(self):
        wanted = sentences()
        self.assertGreater(len(wanted), 100)
        problems = []
        for lang in LANGUAGES:
            header, po = read_po(os.path.join(SOURCE, "po", f"{lang}.po"))
            m = re.search(r"nplurals=(\d+)", header)
            self.assertIsNotNone(m, f"{lang}.po has no Plural-Forms header")
            nplurals = int(m.group(1))
            for key, (one, many) in wanted.items():
                e = po.get(key)
                where = f"{lang}.po {key}"
                if e is None:
                    problems.append(f"{where}: missing")
                    continue
                if e["msgid"] != one or e.get("msgid_plural") != many:
                    problems.append(f"{where}: translates an older English")
                    continue
                if e["fuzzy"]:
                    problems.append(f"{where}: fuzzy")
                    continue
                forms = [e["msgstr"].get(i, "") for i in
                         range(nplurals if many else 1)]
                for i, form in enumerate(forms):
                    if not form.strip():
                        problems.append(f"{where}: form {i} is empty")
                    elif holes(form) != holes(many if many and i else one) \
                            and holes(form) != holes(many or one):
                        problems.append(f"{where}: holes {holes(form)} "
                                        f"but the English has {holes(one)}")
        self.assertEqual(problems, [], "\n" + "\n".join(problems[:60]) +
                         (f"\n... and {len(problems) - 60} more"
                          if len(problems) > 60 else ""))

    def test_no_language_keeps_sentences_that_are_gone(self):
        wanted = sentences()
        for lang in LANGUAGES:
            _, po = read_po(os.path.join(SOURCE, "po", f"{lang}.po"))
            self.assertEqual(sorted(set(po) - set(wanted)), [],
                             f"{lang}.po has sentences text.def no longer has")


if __name__ == "__main__":
    unittest.main(verbosity=2)
