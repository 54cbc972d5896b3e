#!/usr/bin/python3
"""add.py: puts translations of new or changed sentences into po/LANG.po.

    po/add.py FILE.json

FILE.json maps a key of core/text.def to its translations:

    {"reason.signal.call": {"de": "…", "es": "…", "fr": "…", "it": "…",
                            "pl": "…"}}

A PLURAL sentence takes a list per language, one text per plural form of
that language (Polish has three). The English (msgid) is taken from
core/text.def as it is now; an entry already in a .po file for that key is
replaced, a new one goes at the end. The rest of each file is left as it
is, so that several people can add sentences without touching each other's.
"""

import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load_make_pot():
    spec = importlib.util.spec_from_file_location(
        "make_pot", os.path.join(HERE, "make-pot.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def po_string(text):
    """text as a PO string literal."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"')
               .replace("\n", "\\n").replace("\t", "\\t"))
    return f'"{escaped}"'


def entry_text(key, one, many, translation):
    lines = [f'msgctxt "{key}"', f"msgid {one}"]
    if many is None:
        if not isinstance(translation, str):
            raise SystemExit(f"{key}: expected one text, got {translation!r}")
        lines.append(f"msgstr {po_string(translation)}")
    else:
        if not isinstance(translation, list):
            raise SystemExit(f"{key}: a plural sentence needs a list")
        lines.append(f"msgid_plural {many}")
        for i, form in enumerate(translation):
            lines.append(f"msgstr[{i}] {po_string(form)}")
    return "\n".join(lines)


def update(path, entries):
    with open(path, encoding="utf-8") as f:
        blocks = f.read().rstrip("\n").split("\n\n")
    index = {}
    for i, block in enumerate(blocks):
        for line in block.splitlines():
            if line.startswith("msgctxt "):
                index[line[len('msgctxt "'):-1]] = i
    for key, text in entries:
        if key in index:
            blocks[index[key]] = text
        else:
            index[key] = len(blocks)
            blocks.append(text)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n\n".join(blocks) + "\n")


def main(source):
    make_pot = load_make_pot()
    english = {key: (one, many) for _, key, one, many in
               make_pot.entries(os.path.join(HERE, "../core/text.def"))}
    with open(source, encoding="utf-8") as f:
        wanted = json.load(f)
    per_language = {}
    for key, translations in wanted.items():
        if key not in english:
            raise SystemExit(f"{key}: not a key of core/text.def")
        one, many = english[key]
        for lang, translation in translations.items():
            per_language.setdefault(lang, []).append(
                (key, entry_text(key, one, many, translation)))
    for lang, entries in per_language.items():
        update(os.path.join(HERE, f"{lang}.po"), entries)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
