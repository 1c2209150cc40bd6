#!/usr/bin/env bash
# Static GPU evidence without a GPU: every kernel a GPU runs, at the parameters clattn ships for GPUs (the kernel
# files' own defaults; BuiltinParams overrides only CPU devices), compiled for NVIDIA sm_90 by
# ../shared/gpu/ptx-report.sh, for head dimensions 64 and 128. One line per kernel and D: registers, spills,
# local memory, occupancy and the static ratio of FMAs to floats read from local memory.
#   bench/gpu/static.sh [-a sm_90] [OUT.md]     # OUT.md also gets the lines as a Markdown table
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
report="${PTX_REPORT:-$root/../shared/gpu/ptx-report.sh}"
arch=sm_90
if [ "${1:-}" = -a ]; then
    arch="$2"
    shift 2
fi
out="${1:-}"
[ -f "$report" ] || { echo "static.sh: no ptx-report at $report (set PTX_REPORT)" >&2; exit 2; }
# attention_merge and to_half are element-wise, with no local memory and no FMA loop: nothing here to judge.
kernels=(attention_fused qkt softmax_rows av)
rows=()
for d in 64 128; do
    for k in "${kernels[@]}"; do
        line="$(bash "$report" -a "$arch" "$root/kernels/common.cl" "$root/kernels/$k.cl" -- \
            -DHEAD_D="$d" -DHEAD_DV="$d" 2>&1 | grep "^$k on $arch:" || true)"
        [ -n "$line" ] || { echo "static.sh: ptx-report gave no summary for $k (D=$d)" >&2; exit 1; }
        echo "D=$d $line"
        rows+=("$d|$line")
    done
done
if [ -n "$out" ]; then
    {
        echo "| D | kernel | registers | spills | local memory | work-items | warps/SM (occupancy) | FMA per local float |"
        echo "|---|---|---:|---:|---:|---:|---:|---:|"
        for r in "${rows[@]}"; do
            python3 - "$r" <<'PY'
import re, sys
d, line = sys.argv[1].split("|", 1)
patterns = [r"^(\w+) on", r"registers (\d+)", r"spill stores (\d+ B)", r"local memory (\d+ B)",
            r"work-group (\d+)", r"(\d+ of \d+ warps = \d+%)", r"local memory ([\d.]+) \("]
cells = [(re.search(p, line) or [None, "-"])[1] for p in patterns]
print("| " + " | ".join([d] + cells) + " |")
PY
        done
    } > "$out"
    echo "wrote $out"
fi
