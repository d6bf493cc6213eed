# Shell helpers shared by the benchmark scripts (sourced, not run).

# bench_exe NAME: builds the `benches/NAME.rs` bench target (bench profile: release + line
# debug info) and prints the path of its executable, found in cargo's JSON messages (the
# file name carries a hash).
bench_exe() {
    cargo bench --bench "$1" --no-run --message-format=json-render-diagnostics \
        | python3 -c '
import json, sys
name, exe = sys.argv[1], None
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == name \
            and "bench" in m["target"]["kind"] and m.get("executable"):
        exe = m["executable"]
if not exe:
    sys.exit("could not find the %s bench executable in cargo output" % name)
print(exe)
' "$1"
}
