#!/usr/bin/python3
"""make-pot.py: writes po/rdguard.pot from core/text.def.

Every sentence is one entry whose context (msgctxt) is its stable key, so
that each sentence is translated on its own, even where two share their
English words, and a change of the English marks the translation for
review. PLURAL sentences get msgid_plural. Run by `cmake --build BUILD
--target update-po`, which then merges the .pot into every po/LANG.po.
"""

import re
import sys

ENTRY = re.compile(r'^(TEXT|PLURAL)\((\w+),\s*("(?:[^"\\]|\\.)*")\s*,\s*'
                   r'("(?:[^"\\]|\\.)*")(?:\s*,\s*("(?:[^"\\]|\\.)*"))?\)\s*$')


def entries(path):
    """(kind, key, english, plural) for every line of text.def."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = ENTRY.match(line.strip())
            if m:
                kind, _, key, one, many = m.groups()
                yield kind, key[1:-1], one, many


def main(source, out):
    with open(out, "w", encoding="utf-8") as f:
        f.write('msgid ""\nmsgstr ""\n'
                '"Project-Id-Version: rdguard\\n"\n'
                '"Content-Type: text/plain; charset=UTF-8\\n"\n'
                '"Content-Transfer-Encoding: 8bit\\n"\n'
                '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"\n\n')
        for kind, key, one, many in entries(source):
            f.write(f'msgctxt "{key}"\nmsgid {one}\n')
            if kind == "PLURAL":
                f.write(f'msgid_plural {many}\nmsgstr[0] ""\nmsgstr[1] ""\n\n')
            else:
                f.write('msgstr ""\n\n')


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
