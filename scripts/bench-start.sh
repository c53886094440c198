#!/usr/bin/env bash
# Start-up bench: the time from launching the app to its first painted runbook, and the memory
# of the app's whole process tree (the app and WebKit's web and network processes) two seconds
# after: the sum of each process's peak resident set (VmHWM), which counts the WebKit libraries
# the processes share once per process, and the sum of their proportional sets (Pss), which
# splits shared pages between them. Five stores:
#   new      an empty data directory: this first start imports the demo runbook
#   demo     the same store started again
#   50       50 runbooks (the shared examples imported under 50 titles), the first one open
#   5mb      one generated 5 MB runbook (the import bench's file) open
#   20k      one phase of 20,000 checklist items open (it lays out a page of them)
# Each store is started RUNS times (default 5); the first start of each follows a drop of the
# page cache where the kernel allows it (root), so it is a cold start.
#
# Without a GPU the app paints without WebKitGTK's accelerated compositing
# (src-tauri/src/rendering.rs); FLIGHTDECK_GPU_COMPOSITING=1 times it with compositing instead.
#
# Uses the release build: scripts/package.sh, or `cargo build --release -p flightdeck-app -p
# flightdeck-cli`; FLIGHTDECK_APP_BINARY and FLIGHTDECK_CLI_BINARY time another build (an
# earlier commit's, say) instead. Needs a display:
#   xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash scripts/bench-start.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
app=${FLIGHTDECK_APP_BINARY:-target/release/flightdeck-app}
cli=${FLIGHTDECK_CLI_BINARY:-target/release/flightdeck}
for bin in "$app" "$cli"; do
  [ -x "$bin" ] || { echo "no $bin: build the release first (cargo build --release -p flightdeck-app -p flightdeck-cli)" >&2; exit 1; }
done
[ -n "${DISPLAY:-}" ] || { echo "no DISPLAY: run under xvfb-run" >&2; exit 1; }
big=target/bench-runbook-5mb.md
[ -f "$big" ] || { echo "no $big: run cargo bench -p flightdeck-runbook --bench import first" >&2; exit 1; }

work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

tree() {
  echo "$1"
  local child
  for child in $(pgrep -P "$1"); do tree "$child"; done
}

# The sum over the process and its descendants (KiB) of a field of /proc/PID/<file>.
tree_sum_kib() {
  local sum=0 p kib
  for p in $(tree "$1"); do
    kib=$(awk -v field="$3:" '$1 == field {print $2}' "/proc/$p/$2" 2>/dev/null || true)
    sum=$((sum + ${kib:-0}))
  done
  echo "$sum"
}

drop_caches() {
  sync
  echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || echo "  (page cache not dropped: not allowed here)" >&2
}

# One start: prints "<ms to first paint> <peak RSS KiB of the tree> <Pss KiB> <processes>".
start_once() {
  local data=$1 log=$work/app.log t0 waited=0 line
  # Emptied here, not by the launch's redirection, which runs in the background: the wait below
  # would otherwise read the previous start's line.
  : > "$log"
  t0=$(date +%s%N)
  FLIGHTDECK_PAINT_PROBE=$t0 FLIGHTDECK_DATA_DIR=$data "$app" > "$log" 2>&1 &
  pid=$!
  until line=$(grep -m1 '^painted ' "$log"); do
    sleep 0.05
    waited=$((waited + 1))
    if [ "$waited" -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
      echo "the app did not paint within 30 s:" >&2
      tail -n 20 "$log" >&2
      exit 1
    fi
  done
  # Let the views the window loads after its first paint (team, updates) settle.
  sleep 2
  local peak pss procs
  peak=$(tree_sum_kib "$pid" status VmHWM)
  pss=$(tree_sum_kib "$pid" smaps_rollup Pss)
  procs=$(tree "$pid" | wc -l)
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  echo "$(echo "$line" | awk '{print $2}') $peak $pss $procs"
}

identify() {
  FLIGHTDECK_DATA_DIR=$1 "$cli" identity set "Bench Lead" technical_lead > /dev/null
}

# Starts the store RUNS times: the first after dropping the page cache (cold), the others warm.
# Prints the cold time, the median and range of the warm ones, and the largest memory figures.
bench() {
  local name=$1 data=$2 fresh=${3:-} times=() peak=0 pss=0 procs=0 out i
  for i in $(seq 1 "$runs"); do
    [ "$i" -eq 1 ] && drop_caches
    if [ -n "$fresh" ]; then rm -rf "$data"; mkdir -p "$data"; identify "$data"; fi
    out=$(start_once "$data")
    times+=("${out%% *}")
    out=${out#* }
    [ "${out%% *}" -gt "$peak" ] && peak=${out%% *}
    out=${out#* }
    [ "${out%% *}" -gt "$pss" ] && pss=${out%% *}
    procs=${out#* }
  done
  local warm
  warm=$(printf '%s\n' "${times[@]:1}" | sort -n | awk '
    { t[NR] = $1 }
    END { if (NR) printf "median %.1f ms (%.1f to %.1f)", (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2, t[1], t[NR] }')
  printf '%-5s cold %7.1f ms, warm %s; %d processes: peak RSS %.1f MiB, Pss %.1f MiB\n' \
    "$name" "${times[0]}" "$warm" "$procs" "$(awk -v k="$peak" 'BEGIN { print k / 1024 }')" \
    "$(awk -v k="$pss" 'BEGIN { print k / 1024 }')"
}

echo "app: $app ($(du -h "$app" | cut -f1)), $runs starts per store"

bench new "$work/new" fresh
bench demo "$work/new"

mkdir -p "$work/fifty"
identify "$work/fifty"
examples=(../shared/runbooks/*.md)
for i in $(seq 1 50); do
  src=${examples[$(( (i - 1) % ${#examples[@]} ))]}
  sed "0,/^# /s/^# \(.*\)/# \1 (copy $i)/" "$src" > "$work/rb-$i.md"
  FLIGHTDECK_DATA_DIR=$work/fifty "$cli" runbook import "$work/rb-$i.md" > /dev/null
done
bench 50 "$work/fifty"

mkdir -p "$work/big"
identify "$work/big"
FLIGHTDECK_DATA_DIR=$work/big "$cli" runbook import "$big" > /dev/null
bench 5mb "$work/big"

mkdir -p "$work/long"
identify "$work/long"
{
  printf '# Long Phase Runbook\n\n## Phase 1: Check the fleet\n\n**Verification**:\n\n'
  seq 0 19999 | sed 's/.*/- [ ] Host & answers on its health endpoint/'
} > "$work/long.md"
FLIGHTDECK_DATA_DIR=$work/long "$cli" runbook import "$work/long.md" > /dev/null
bench 20k "$work/long"
