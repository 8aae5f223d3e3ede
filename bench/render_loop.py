#!/usr/bin/env python3
"""The edit-and-look loop (`R`): from saving the prompt file to the new diff on screen.

    render_loop.py BINARY POML_CLI CORPUS_TAR [--saves 10]

Unpacks the corpus, opens a real-poml session in the real binary in tmux (its screen read
with capture-pane every 10 ms: the slow emulator the other benches use trips over this
session's characters), presses
R on its first call, then saves the call's prompt file --saves times, alternating an edit and
the original, timing each save until the screen shows the new verdict. Twice: with node's
compile cache (the default; its folder warmed by one render first) and without
(NODE_DISABLE_COMPILE_CACHE=1). Prints JSON: p50/p95/max in ms for each.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ui_timing import summary  # noqa: E402


class Tmux:
    def __init__(self, argv, env, cwd):
        self.socket = tempfile.mktemp(prefix="tracetui-bench-tmux-")
        command = " ".join(f"{k}={v}" for k, v in env.items()) + " " + " ".join(argv)
        self.run("-f", "/dev/null", "new-session", "-d", "-x", "140", "-y", "40", "-c", cwd,
                 "env", "TERM=xterm-256color", "TZ=UTC", "sh", "-c", command)

    def run(self, *args):
        return subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True,
                              text=True).stdout

    def screen(self):
        return self.run("capture-pane", "-p", "-t", "0")

    def keys(self, *keys):
        self.run("send-keys", "-t", "0", *keys)

    def until(self, done, limit):
        start = time.monotonic()
        while not done(self.screen()):
            if time.monotonic() - start > limit:
                return None
            time.sleep(0.01)
        return time.monotonic() - start

    def kill(self):
        self.run("kill-server")


SESSION = "public/pomlruns/20261121123956698654"
PROMPT = "public/workspace/prompts/translator.poml"
EDIT = ("You localise short UI strings.", "You translate short UI strings.")
CHANGED = "changed: not the messages that were sent"
UNCHANGED = "unchanged: exactly the messages that were sent"


def loop(binary, root, saves, cold):
    env = {"TRACETUI_POML": os.environ["TRACETUI_POML"],
           "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]}
    if cold:
        env["NODE_DISABLE_COMPILE_CACHE"] = "1"
    pane = Tmux([binary, SESSION], env, root)
    try:
        if pane.until(lambda s: "0001 translator" in s, 30) is None:
            raise SystemExit("the session did not open:\n" + pane.screen())
        pane.keys("g", "j", "R")
        if pane.until(lambda s: UNCHANGED in s, 60) is None:
            raise SystemExit("the first render did not come:\n" + pane.screen())
        prompt = os.path.join(root, PROMPT)
        with open(prompt) as f:
            original = f.read()
        edited = original.replace(*EDIT)
        times = []
        for i in range(saves):
            text, verdict = (edited, CHANGED) if i % 2 == 0 else (original, UNCHANGED)
            time.sleep(0.2)
            with open(prompt, "w") as f:
                f.write(text)
            took = pane.until(lambda s: verdict in s, 30)
            if took is not None:
                times.append(took * 1000)
        with open(prompt, "w") as f:
            f.write(original)
        return summary(times) if times else None
    finally:
        pane.kill()


def main():
    args = sys.argv[1:]
    binary, poml_cli, corpus = (os.path.abspath(a) for a in args[:3])
    saves = int(args[args.index("--saves") + 1]) if "--saves" in args else 10
    os.environ["TRACETUI_POML"] = poml_cli
    with tempfile.TemporaryDirectory(prefix="tracetui-render-bench-") as work:
        subprocess.run(["tar", "xzf", corpus, "-C", work], check=True)
        os.environ["XDG_CACHE_HOME"] = os.path.join(work, "cache")
        cold = loop(binary, work, saves, cold=True)
        loop(binary, work, 1, cold=False)  # fills the compile cache
        warm = loop(binary, work, saves, cold=False)
    print(json.dumps({"saves": saves, "compile_cache": warm, "no_compile_cache": cold}))


if __name__ == "__main__":
    main()
