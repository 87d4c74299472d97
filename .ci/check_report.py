"""Loads report.html in headless Chromium and checks it (stdlib only).

Usage: python3 .ci/check_report.py DIR [--self-test]

* The page is loaded from file:// with no network; Chromium's console log goes to
  stderr (--enable-logging=stderr), and any console message (an uncaught
  exception, a console.error, a failed load) fails the check.
* The DOM after the scripts ran (--dump-dom) must have exactly one
  <path class="catchment ..."> in <g id="catchments"> per feature of
  catchments.geojson, one row per catchment in the ranking table, and the mark
  the page's script sets when it ran to the end (body data-script="ok").
* A screenshot (DIR/report.png, 1280 x 2000) is taken and must be a PNG of that
  size and not trivially small.
* --self-test: the same check on a copy of the page with a broken script must
  fail (so the check can fail), then the real page is checked.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--disable-extensions", "--disable-background-networking",
         "--virtual-time-budget=5000"]


class Dom(HTMLParser):
    """Counts catchment shapes, ranking rows and the script's mark."""

    def __init__(self):
        super().__init__()
        self.stack = []          # open <g> and <tbody> ids
        self.shapes = 0
        self.rows = 0
        self.script_ok = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body" and a.get("data-script") == "ok":
            self.script_ok = True
        if tag in ("g", "table"):
            self.stack.append((tag, a.get("id")))
        if tag == "path" and ("g", "catchments") in self.stack and "catchment" in (a.get("class") or "").split():
            self.shapes += 1
        if tag == "tr" and ("table", "catchment-table") in self.stack and self.in_body:
            self.rows += 1
        if tag == "tbody":
            self.in_body = True
        if tag == "thead":
            self.in_body = False

    in_body = False

    def handle_endtag(self, tag):
        if tag in ("g", "table"):
            for i in range(len(self.stack) - 1, -1, -1):
                if self.stack[i][0] == tag:
                    del self.stack[i]
                    break


def console_messages(stderr):
    return [l for l in stderr.splitlines() if ":CONSOLE" in l or "Uncaught" in l]


def check(page: Path, expected: int, screenshot: Path):
    """Returns a list of failures."""
    fail = []
    url = page.resolve().as_uri()
    with tempfile.TemporaryDirectory() as profile:
        run = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
             "--dump-dom", url],
            capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        fail.append(f"chromium exited {run.returncode}: {run.stderr[-2000:]}")
    for m in console_messages(run.stderr):
        fail.append(f"the page logged: {m}")
    dom = Dom()
    dom.feed(run.stdout)
    if dom.shapes != expected:
        fail.append(f"the map has {dom.shapes} catchment shapes, expected {expected}")
    if dom.rows != expected:
        fail.append(f"the ranking table has {dom.rows} rows, expected {expected}")
    if not dom.script_ok:
        fail.append("the page's script did not run to the end (no data-script=\"ok\")")
    with tempfile.TemporaryDirectory() as profile:
        shot = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--hide-scrollbars",
             f"--screenshot={screenshot.resolve()}", "--window-size=1280,2000", url],
            capture_output=True, text=True, timeout=120)
    if shot.returncode != 0 or not screenshot.exists():
        fail.append(f"no screenshot: {shot.stderr[-2000:]}")
    else:
        data = screenshot.read_bytes()
        w, h = struct.unpack(">II", data[16:24])
        if data[:8] != b"\x89PNG\r\n\x1a\n" or (w, h) != (1280, 2000) or len(data) < 50_000:
            fail.append(f"screenshot {screenshot}: {w}x{h}, {len(data)} bytes")
    return fail, dom


def main():
    out = Path(sys.argv[1])
    if CHROMIUM is None:
        print("chromium not found (.ci/run installs Debian's chromium)")
        sys.exit(1)
    catchments = json.loads((out / "catchments.geojson").read_text(encoding="utf-8"))
    expected = len(catchments["features"])
    page = out / "report.html"
    if "--self-test" in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            broken = Path(tmp) / "report.html"
            html = page.read_text(encoding="utf-8")
            marker = '"use strict";'
            if marker not in html:
                print("self-test: the page's script has changed; update the self-test")
                sys.exit(1)
            broken.write_text(html.replace(marker, marker + " notAFunction();", 1), encoding="utf-8")
            fail, _ = check(broken, expected, Path(tmp) / "shot.png")
            if not any("logged" in f for f in fail) or not any("script did not run" in f for f in fail):
                print("self-test FAILED: a broken script was not caught:", fail)
                sys.exit(1)
            print(f"self-test: a broken script is caught ({len(fail)} failures)")
    fail, dom = check(page, expected, out / "report.png")
    if fail:
        print("report.html check FAILED:")
        for f in fail:
            print(" -", f)
        sys.exit(1)
    print(f"report.html ok in {os.path.basename(CHROMIUM)}: {dom.shapes} catchment shapes, "
          f"{dom.rows} ranking rows, no console messages, screenshot {out / 'report.png'}")


main()
