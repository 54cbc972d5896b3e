#!/usr/bin/python3
"""test_pagewords: the browser extension's wording.js and _locales are
what packaging/browser/make-wording.py makes of core/pagewords.def,
core/text.def and po/ now.

The extension scores pages with the same rules as core/pagescore.c; a
change to pagewords.def without a new wording.js would make the two differ.
Its name and description are sentences of text.def like any other. Run
packaging/browser/make-wording.py and commit what it writes.
"""

import importlib.util
import os
import tempfile
import unittest

SOURCE = os.environ.get("RDG_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "../.."))
SCRIPT = os.path.join(SOURCE, "packaging/browser/make-wording.py")


def load_make_wording():
    spec = importlib.util.spec_from_file_location("make_wording", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class WordingTest(unittest.TestCase):

    def setUp(self):
        self.mw = load_make_wording()

    def test_wording_js_is_up_to_date(self):
        with open(self.mw.OUTPUT, encoding="utf-8") as f:
            committed = f.read()
        self.assertEqual(
            committed, self.mw.expected(),
            "packaging/browser/extension/wording.js is stale: run "
            "packaging/browser/make-wording.py and commit it")

    def test_the_extensions_name_is_up_to_date_in_every_language(self):
        files = self.mw.outputs()
        self.assertEqual(len(files), 7)  # wording.js, 6 languages
        self.assertEqual(self.mw.stale(files), [],
                         "run packaging/browser/make-wording.py and commit "
                         "what it writes")

    def test_every_line_of_pagewords_def_is_read(self):
        wording = self.mw.read_def()
        with open(self.mw.DEF, encoding="utf-8") as f:
            text = f.read()
        words = sum(1 for line in text.splitlines()
                    if line.startswith("PAGE_WORDS("))
        self.assertEqual(len(wording["phrases"]), words)
        self.assertIn(["keyboard-lock", 25], wording["signs"])
        self.assertEqual(wording["rules"]["scam-words"], 30)

    def test_a_change_to_the_wording_makes_a_different_file(self):
        with open(self.mw.DEF, encoding="utf-8") as f:
            text = f.read()
        with tempfile.NamedTemporaryFile("w", suffix=".def",
                                         encoding="utf-8") as changed:
            changed.write(text.replace('"call microsoft"', '"call us now"'))
            changed.flush()
            self.assertNotEqual(self.mw.render(self.mw.read_def(changed.name)),
                                self.mw.expected())

    def test_a_line_it_cannot_read_is_an_error_with_its_number(self):
        with tempfile.NamedTemporaryFile("w", suffix=".def",
                                         encoding="utf-8") as bad:
            bad.write("PAGE_REPORT_AT(40)\nPAGE_NEAR(300)\n"
                      'PAGE_WORDS(SCAM, "en", "call \\"us\\"")\n')
            bad.flush()
            with self.assertRaisesRegex(self.mw.DefError, r":3: cannot read"):
                self.mw.read_def(bad.name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
