#!/usr/bin/python3
"""make-wording.py: the browser extension's copy of core/pagewords.def.

    packaging/browser/make-wording.py          writes extension/wording.js
    packaging/browser/make-wording.py --check  says whether it is up to date

The extension scores a page exactly as core/pagescore.c does (the header of
core/pagewords.def is the rule); it reads the signs, rules and wording from
wording.js, which this script writes from pagewords.def. wording.js is
committed, so that the extension folder works as it is;
tests/unit/test_pagewords.py fails when it is stale.

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
OUTPUT = os.path.join(HERE, "extension/wording.js")

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
        if not line:
            continue
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


def main(argv):
    try:
        text = expected()
    except DefError as e:
        print(f"make-wording.py: {e}", file=sys.stderr)
        return 1
    if argv[1:] == ["--check"]:
        with open(OUTPUT, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{OUTPUT} is older than {DEF}: run {sys.argv[0]}",
                      file=sys.stderr)
                return 1
        return 0
    if argv[1:]:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(OUTPUT + ".new", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(OUTPUT + ".new", OUTPUT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
