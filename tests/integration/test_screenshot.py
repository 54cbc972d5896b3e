"""The picture of the warning in docs/ is taken by screenshot.py, with a
real notification server (Debian's notification-daemon) drawing what
rdguard-notifier sends it. This runs it, so the picture keeps working."""

import os
import subprocess
import tempfile
import unittest

import rdgtest
import screenshot


def image_facts(path):
    out = subprocess.run(["convert", path, "-format", "%w %h %[fx:mean]",
                          "info:"], capture_output=True, text=True, check=True)
    width, height, mean = out.stdout.split()
    return int(width), int(height), float(mean)


class ScreenshotTest(unittest.TestCase):

    def test_the_warning_is_drawn_by_a_real_notification_server(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "warning.png")
            screenshot.take(out)
            width, height, mean = image_facts(out)
        # A bubble was drawn (trimmed, a plain screen would be 1 pixel),
        # and it is the light bubble, not the dark desktop.
        self.assertGreater(width, 300)
        self.assertGreater(height, 200)
        self.assertGreater(mean, 0.5)

    def test_the_picture_in_the_docs_exists_and_is_the_warning(self):
        width, height, mean = image_facts(os.path.join(
            rdgtest.SOURCE, "docs/images/warning.png"))
        self.assertGreater(width, 300)
        self.assertGreater(mean, 0.5)


if __name__ == "__main__":
    rdgtest.main()
