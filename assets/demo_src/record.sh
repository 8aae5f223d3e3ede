#!/usr/bin/env bash
# Records assets/demo.tar.gz: the TripWise agent (agent.py) runs five sessions, one process
# each, through the real poml 0.0.8 package, talking over HTTP to a fake LLM (fake_llm.py)
# that answers with canned replies after a real, varied latency. The trace files therefore
# carry the real timeline (sub-second mtimes); tar's POSIX format keeps them to the
# nanosecond. demo/pml/agent.jsonl (a PML event file, its times inside the events) is carried
# over from the previous archive as it is.
#
#   bash assets/demo_src/record.sh        (then: bash assets/demo_src/screenshot.sh)
#
# Python: $TRACETUI_POML_PYTHON, else the tests' venv (target/tmp/poml-venv), else a venv
# made once in target/demo-venv.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
archive=$root/assets/demo.tar.gz

python=${TRACETUI_POML_PYTHON:-}
if [[ -z $python ]]; then
    if [[ -x $target/tmp/poml-venv/bin/python ]]; then
        python=$target/tmp/poml-venv/bin/python
    else
        python=$target/demo-venv/bin/python
        if [[ ! -x $python ]]; then
            python3 -m venv "$target/demo-venv"
            "$python" -m pip install --quiet poml==0.0.8
        fi
    fi
fi
"$python" -c 'import poml, importlib.metadata as m; assert m.version("poml") == "0.0.8", m.version("poml")'

scratch=$(mktemp -d /tmp/tripwise.XXXXXX)
server=
cleanup() {
    [[ -n $server ]] && kill "$server" 2>/dev/null || true
    rm -rf "$scratch"
}
trap cleanup EXIT

demo=$scratch/demo
mkdir -p "$demo/pomlruns"
cp -r "$here/workspace" "$demo/workspace"
tar -xzf "$archive" -C "$scratch" demo/pml

"$python" "$here/fake_llm.py" >"$scratch/server.out" 2>"$scratch/server.log" &
server=$!
for _ in $(seq 100); do
    grep -q '^PORT ' "$scratch/server.out" 2>/dev/null && break
    sleep 0.1
done
port=$(sed -n 's/^PORT //p' "$scratch/server.out")
[[ -n $port ]] || { cat "$scratch/server.log" >&2; exit 1; }

for session in lisbon fx receipts porto handbook; do
    echo "session $session" >&2
    (cd "$demo/workspace" &&
        "$python" "$here/agent.py" "$session" "http://127.0.0.1:$port" "$demo/pomlruns" "$demo/workspace")
    sleep 0.7
done
kill "$server"
wait "$server" 2>/dev/null || true
server=

# poml links each call's .source.poml to the absolute path of its prompt: make the links that
# point into the workspace relative, so that they resolve wherever the demo is unpacked. The
# links and folders keep their times (a call starts at its earliest file).
"$python" - "$demo" <<'EOF'
import os, sys
demo = sys.argv[1]
for session in sorted(os.listdir(os.path.join(demo, "pomlruns"))):
    folder = os.path.join(demo, "pomlruns", session)
    times = os.stat(folder)
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if not os.path.islink(path):
            continue
        target = os.readlink(path)
        if not target.startswith(demo + "/"):
            continue
        link = os.lstat(path)
        os.unlink(path)
        os.symlink(os.path.relpath(target, folder), path)
        os.utime(path, ns=(link.st_atime_ns, link.st_mtime_ns), follow_symlinks=False)
    os.utime(folder, ns=(times.st_atime_ns, times.st_mtime_ns))
EOF

tar --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    --sort=name --owner=0 --group=0 --numeric-owner \
    -C "$scratch" -cf - demo | gzip -9n >"$archive.new"
mv "$archive.new" "$archive"
echo "wrote $archive: $(find "$demo/pomlruns" -name '*.poml' ! -name '*.source.poml' | wc -l) calls in $(ls "$demo/pomlruns" | wc -l) sessions" >&2
