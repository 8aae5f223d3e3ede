#!/usr/bin/env python3
"""A live PML writer for the soak bench: appends documented PML events to a JSON Lines file
at a steady rate, stamped with the wall clock, as an agent would while it runs.

    pml_writer.py FILE [--rate 2000] [--seconds 600] [--shape executions|one]

Shapes:
  executions  executions of 2-5 capabilities of 4-12 tool calls each (about 30 events), one
              after another, as `gen_traces pml` lays them out: sessions keep arriving.
  one         a single execution that never ends: one session that keeps growing.

Importable: `Writer(path, rate, shape).run(seconds, stop)` returns how many events it wrote;
`.spans` says how many spans they make.
"""
import random
import sys
import threading
import time

TOOLS = [("filesystem", "read_file"), ("filesystem", "write_file"), ("github", "create_issue"),
         ("github", "list_pulls"), ("search", "query"), ("shell", "run")]
CAPABILITIES = ["triage_issue", "summarise_diff", "sync_docs", "weekly_report"]


def events(shape, rng):
    """Endless event lines; each is a function of the wall clock in ms, so it is stamped
    when written."""
    exec_n = 0
    while True:
        exec_n += 1
        root = f"exec_{exec_n:07d}"
        started = {}

        def start(now, root=root):
            started[root] = now
            return ('{"id":"%s","type":"execution_start","timestamp":%d,"root_id":"%s",'
                    '"input":{"task":"soak %s"}}\n' % (root, now, root, root))
        yield start
        caps = 10**9 if shape == "one" else 2 + rng.randrange(4)
        for c in range(caps):
            cap = f"{root}_c{c}"
            for k in range(4 + rng.randrange(9)):
                server, name = TOOLS[rng.randrange(len(TOOLS))]
                error = rng.randrange(100) < 3

                def tool(now, cap=cap, k=k, server=server, name=name, error=error):
                    started.setdefault(cap, now)
                    tail = (',"error":"%s returned 503"' % server if error else
                            ',"output":{"content":"%d lines read"}' % rng.randrange(400))
                    return ('{"id":"%s_t%d","type":"tool_call","timestamp":%d,"duration_ms":%d,'
                            '"parent_id":"%s","root_id":"%s","tool":{"server":"%s","name":"%s"},'
                            '"input":{"path":"/srv/repo/module_%d.rs"},"status":"%s"%s}\n'
                            % (cap, k, now, 1 + rng.randrange(3), cap, root, server, name,
                               rng.randrange(500), "error" if error else "success", tail))
                yield tool

            # A capability is written when it finishes, after its tools.
            def capability(now, cap=cap):
                begun = started.pop(cap, now)
                return ('{"id":"%s","type":"capability_invoke","timestamp":%d,"duration_ms":%d,'
                        '"parent_id":"%s","root_id":"%s","capability":"%s","status":"success"}\n'
                        % (cap, begun, now - begun, root, root,
                           CAPABILITIES[rng.randrange(len(CAPABILITIES))]))
            yield capability

        def end(now, root=root):
            begun = started.pop(root, now)
            return ('{"id":"%s_end","type":"execution_end","timestamp":%d,"duration_ms":%d,'
                    '"root_id":"%s","status":"success"}\n' % (root, now, now - begun, root))
        yield end


class Writer:
    def __init__(self, path, rate, shape="executions", seed=7):
        self.path, self.rate, self.shape = path, rate, shape
        self.source = events(shape, random.Random(seed))
        self.written = 0
        # Spans: an execution_end closes the execution's span rather than adding one.
        self.spans = 0

    def run(self, seconds, stop=None):
        """Append for `seconds` (or until `stop` is set), keeping to the rate on average."""
        t0 = time.monotonic()
        with open(self.path, "a") as f:
            while time.monotonic() - t0 < seconds and not (stop and stop.is_set()):
                due = int((time.monotonic() - t0) * self.rate)
                now = int(time.time() * 1000)
                lines = [next(self.source)(now) for _ in range(due - self.written)]
                if lines:
                    f.write("".join(lines))
                    f.flush()
                    self.written += len(lines)
                    self.spans += sum('"execution_end"' not in line for line in lines)
                time.sleep(0.01)
        return self.written


def main():
    args = sys.argv[1:]
    opt = lambda name, default: args[args.index(name) + 1] if name in args else default
    writer = Writer(args[0], int(opt("--rate", 2000)), opt("--shape", "executions"))
    n = writer.run(float(opt("--seconds", 600)), threading.Event())
    print(f"{n} events written to {args[0]}")


if __name__ == "__main__":
    main()
