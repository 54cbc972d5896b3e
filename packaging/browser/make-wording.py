#!/usr/bin/python3
"""make-wording.py: the browser extension's copy of rdguard's words.

    packaging/browser/make-wording.py          writes the files below
    packaging/browser/make-wording.py --check  says whether they are up to date

The extension scores a page exactly as core/pagescore.c does (the header of
core/pagewords.def is the rule); it reads the signs, rules and wording from
extension/wording.js, which this script writes from pagewords.def. The
extension's name and description, which people read in the browser's list
of extensions, come from core/text.def and its translations in po/ like
every other sentence of rdguard's: this script writes them into
extension/_locales/LANG/messages.json. The files are committed, so that the
extension folder works as it is; tests/unit/test_pagewords.py fails when
they are stale.

pagewords.def keeps to one macro per line and plain double-quoted strings,
so that this script can read it without a C preprocessor. A line it cannot
read is an error, with its line number.
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "../.."))
DEF = os.path.join(SOURCE, "core/pagewords.def")
TEXT_DEF = os.path.join(SOURCE, "core/text.def")
EXTENSION = os.path.join(HERE, "extension")
OUTPUT = os.path.join(EXTENSION, "wording.js")
LANGUAGES = ["de", "es", "fr", "it", "pl"]
# The manifest's __MSG_name__ and __MSG_description__: text.def keys.
MESSAGES = {"name": "browser.extension.name",
            "description": "browser.extension.description"}

STRING = r'"([^"\\]*)"'
MACROS = {
    "PAGE_SIGN": re.compile(r"^PAGE_SIGN\((\w+), " + STRING + r", (\d+)\)$"),
    "PAGE_RULE": re.compile(r"^PAGE_RULE\((\w+), " + STRING + r", (\d+)\)$"),
    "PAGE_WORDS": re.compile(r"^PAGE_WORDS\((SCAM|BRAND), " + STRING + ", " +
                             STRING + r"\)$"),
    "PAGE_REPORT_AT": re.compile(r"^PAGE_REPORT_AT\((\d+)\)$"),
    "PAGE_NEAR": re.compile(r"^PAGE_NEAR\((\d+)\)$"),
}


class DefError(Exception):
    pass


def without_comments(text):
    """The text with /* */ comments blanked out, line numbers kept."""
    return re.sub(r"/\*.*?\*/",
                  lambda m: re.sub(r"[^\n]", " ", m.group(0)), text,
                  flags=re.S)


def read_def(path=DEF):
    """The wording of pagewords.def as a dict."""
    with open(path, encoding="utf-8") as f:
        text = without_comments(f.read())
    wording = {"reportAt": None, "near": None, "signs": [], "rules": {},
               "phrases": []}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue  # blank, or the preprocessor's defaults and undefs
        name = line.split("(", 1)[0]
        m = MACROS.get(name, re.compile("^$")).match(line)
        if not m:
            raise DefError(f"{path}:{number}: cannot read: {line}")
        if name == "PAGE_SIGN":
            wording["signs"].append([m.group(2), int(m.group(3))])
        elif name == "PAGE_RULE":
            wording["rules"][m.group(2)] = int(m.group(3))
        elif name == "PAGE_WORDS":
            wording["phrases"].append(
                [m.group(1).lower(), m.group(2), m.group(3)])
        elif name == "PAGE_REPORT_AT":
            wording["reportAt"] = int(m.group(1))
        else:
            wording["near"] = int(m.group(1))
    for key in ("reportAt", "near"):
        if wording[key] is None:
            raise DefError(f"{path}: no {key} (PAGE_REPORT_AT, PAGE_NEAR)")
    return wording


def render(wording):
    """wording.js, as text."""
    lines = [
        "// wording.js: what makes a page look like a tech-support scam, and",
        "// how much each sign counts. Written by packaging/browser/"
        "make-wording.py",
        "// from core/pagewords.def (read its header for the rules): do not "
        "edit.",
        '"use strict";',
        "globalThis.rdguardWording = Object.freeze({",
        f"  reportAt: {wording['reportAt']},",
        f"  near: {wording['near']},",
        "  // [name, points], in the order of enum page_sign",
        "  signs: [",
    ]
    lines += [f"    {json.dumps(s, ensure_ascii=False)}," for s in wording["signs"]]
    lines += ["  ],", "  rules: {"]
    lines += [f"    {json.dumps(k)}: {v}," for k, v in wording["rules"].items()]
    lines += ["  },", "  // [strength, language, phrase]", "  phrases: ["]
    lines += [f"    {json.dumps(p, ensure_ascii=False)},"
              for p in wording["phrases"]]
    lines += ["  ],", "});", ""]
    return "\n".join(lines)


def expected():
    return render(read_def())


def c_string(quoted):
    """The value of a C or PO string literal."""
    return bytes(quoted[1:-1], "utf-8").decode("unicode_escape").encode(
        "latin-1").decode("utf-8")


def english():
    """key -> English sentence, from text.def."""
    pattern = re.compile(r'^TEXT\(\w+, "([^"]+)", ("(?:[^"\\]|\\.)*")\)$')
    found = {}
    with open(TEXT_DEF, encoding="utf-8") as f:
        for line in f:
            m = pattern.match(line.strip())
            if m:
                found[m.group(1)] = c_string(m.group(2))
    return found


def translations(lang):
    """key -> translated sentence, from po/LANG.po (msgmerge may have
    wrapped a long one over several lines)."""
    found, key, field = {}, None, None
    with open(os.path.join(SOURCE, "po", f"{lang}.po"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("msgctxt "):
                key, field = c_string(line[len("msgctxt "):]), None
            elif line.startswith("msgstr ") and key is not None:
                field = key
                found[key] = c_string(line[len("msgstr "):])
            elif line.startswith('"') and field is not None:
                found[field] += c_string(line)
            else:
                field = None
    return found


def locale_files():
    """path -> text of every _locales/LANG/messages.json."""
    files = {}
    for lang in ["en"] + LANGUAGES:
        sentences = english() if lang == "en" else translations(lang)
        messages = {}
        for name, key in MESSAGES.items():
            if not sentences.get(key):
                raise DefError(f"{lang}: no sentence for {key}")
            messages[name] = {"message": sentences[key]}
        path = os.path.join(EXTENSION, "_locales", lang, "messages.json")
        files[path] = json.dumps(messages, ensure_ascii=False, indent=2) + "\n"
    return files


def outputs():
    """path -> text of every file this script writes."""
    files = {OUTPUT: expected()}
    files.update(locale_files())
    return files


def stale(files):
    """The files whose text on disk is not what it should be."""
    found = []
    for path, text in files.items():
        try:
            with open(path, encoding="utf-8") as f:
                if f.read() == text:
                    continue
        except FileNotFoundError:
            pass
        found.append(path)
    return found


def main(argv):
    try:
        files = outputs()
    except DefError as e:
        print(f"make-wording.py: {e}", file=sys.stderr)
        return 1
    if argv[1:] == ["--check"]:
        for path in stale(files):
            print(f"{path} is stale: run {sys.argv[0]}", file=sys.stderr)
        return 1 if stale(files) else 0
    if argv[1:]:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    for path, text in files.items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".new", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(path + ".new", path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
