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
* The page is driven through the DevTools protocol (--remote-debugging-pipe):
  pointing at a catchment shows its title in the details box and highlights its
  table row, and clicking the CNI heading sorts the table ascending, then
  descending. No exception and no console message may occur meanwhile.
* --self-test: the same checks on copies of the page with a broken script and
  with a broken hover handler must fail (so the checks can fail), then the real
  page is checked.
"""
import json
import os
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
import time
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


class Cdp:
    """A minimal DevTools-protocol client over --remote-debugging-pipe (fds 3, 4)."""

    def __init__(self, profile):
        r3, w3 = os.pipe()  # we write, Chromium reads on fd 3
        r4, w4 = os.pipe()  # Chromium writes on fd 4, we read
        # No --virtual-time-budget here: the session would end with it.
        flags = [f for f in FLAGS if not f.startswith("--virtual-time-budget")]
        args = [CHROMIUM, *flags, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"]
        # Through bash, so fds 3 and 4 are exactly the pipes whatever numbers they had.
        cmd = f"exec 20<&{r3} 21>&{w4}; exec {' '.join(map(shlex.quote, args))} 3<&20 4>&21 20<&- 21>&-"
        self.proc = subprocess.Popen(["bash", "-c", cmd], pass_fds=(r3, w4),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(r3)
        os.close(w4)
        self.w, self.r = w3, r4
        self.n, self.buf, self.events = 0, b"", []

    def _read(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.r, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        self.n += 1
        msg = {"id": self.n, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.n:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def close(self):
        try:
            self.call("Browser.close")
        except (RuntimeError, OSError):
            pass
        self.proc.wait(timeout=30)
        os.close(self.w)
        os.close(self.r)


HOVER = """(() => {
  const p = document.querySelector('#catchments path.catchment');
  p.dispatchEvent(new MouseEvent('mouseenter'));
  const row = document.getElementById('r-' + p.id.slice(2));
  return [p.querySelector('title').textContent, document.getElementById('details').textContent,
          row ? row.className : ''];
})()"""

SORT = """(() => {
  const th = [...document.querySelectorAll('#catchment-table thead th')].find(t => t.textContent === 'CNI');
  const i = [...th.parentNode.children].indexOf(th);
  const column = () => [...document.querySelectorAll('#catchment-table tbody tr')]
    .map(r => r.cells[i].getAttribute('data-v')).filter(v => v !== null).map(parseFloat);
  th.click(); const up = column(); th.click(); const down = column();
  return [up, down];
})()"""


def interact(page: Path):
    """Drives the page: hover details and sorting; returns failures."""
    fail = []
    with tempfile.TemporaryDirectory() as profile:
        cdp = Cdp(profile)
        try:
            target = cdp.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            s = cdp.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            cdp.call("Runtime.enable", session=s)
            cdp.call("Page.navigate", {"url": page.resolve().as_uri()}, session=s)
            ready = "document.readyState + '/' + (document.body && document.body.getAttribute('data-script'))"
            for _ in range(200):
                state = cdp.call("Runtime.evaluate", {"expression": ready, "returnByValue": True}, session=s)
                if state["result"].get("value") == "complete/ok":
                    break
                time.sleep(0.05)
            else:
                fail.append(f"the page never became ready: {state}")
            hover = cdp.call("Runtime.evaluate", {"expression": HOVER, "returnByValue": True}, session=s)
            title, details, row = hover["result"].get("value", ["", "", ""])
            if not title or details != title:
                fail.append(f"hovering a catchment shows {details!r}, not its title {title!r}")
            if "hover" not in row.split():
                fail.append("hovering a catchment does not highlight its table row")
            sort = cdp.call("Runtime.evaluate", {"expression": SORT, "returnByValue": True}, session=s)
            up, down = sort["result"].get("value", [[], []])
            if len(up) < 2 or up != sorted(up) or down != sorted(up, reverse=True):
                fail.append(f"sorting by CNI gives {up[:5]}... then {down[:5]}...")
            for e in cdp.events:
                if e.get("method") in ("Runtime.exceptionThrown", "Runtime.consoleAPICalled"):
                    fail.append(f"the page reported {e['method']}: {json.dumps(e.get('params'))[:300]}")
        finally:
            cdp.close()
    return fail


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
            hover = "details.textContent = t.textContent;"
            if hover not in html:
                print("self-test: the page's hover handler has changed; update the self-test")
                sys.exit(1)
            broken.write_text(html.replace(hover, "details.textContent = '';", 1), encoding="utf-8")
            fail = interact(broken)
            if not any("hovering a catchment shows" in f for f in fail):
                print("self-test FAILED: a broken hover was not caught:", fail)
                sys.exit(1)
            print("self-test: a broken hover is caught")
    fail, dom = check(page, expected, out / "report.png")
    fail += interact(page)
    if fail:
        print("report.html check FAILED:")
        for f in fail:
            print(" -", f)
        sys.exit(1)
    print(f"report.html ok in {os.path.basename(CHROMIUM)}: {dom.shapes} catchment shapes, "
          f"{dom.rows} ranking rows, no console messages, hover details and sorting work, "
          f"screenshot {out / 'report.png'}")


main()
