#!/usr/bin/env bash
# Static GPU evidence without a GPU: every kernel a GPU runs, at the parameters clattn ships for the device class
# (the kernel file's defaults under the class's entry in src/main/resources/profiles/builtin.json for that head
# dimension), for head dimensions 64 and 128.
#   NVIDIA sm_90 (default): ../shared/gpu/ptx-report.sh: registers, spills, local memory, occupancy, and the
#   static ratio of FMAs to floats read from local memory.
#   AMD (-a gfx90a): clang/LLVM's AMDGPU back end (-Rpass-analysis=kernel-resource-usage): VGPRs, spills, LDS,
#   waves per SIMD. LLVM 15 (Debian's) knows gfx90a (MI200), not gfx942 (MI300).
#   bench/gpu/static.sh [-a sm_90|gfx90a] [OUT.md]     # OUT.md also gets the lines as a Markdown table
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
class=nvidia-gpu
case "$arch" in gfx*) class=amd-gpu;; esac
[ "$class" = amd-gpu ] || [ -f "$report" ] || { echo "static.sh: no ptx-report at $report (set PTX_REPORT)" >&2; exit 2; }
# attention_merge, to_half and pack_kt are element-wise, with no local memory and no FMA loop: nothing to judge.
kernels=(attention_flash attention_fused qkt softmax_rows av)

# -DNAME=VALUE for the class's shipped parameters of KERNEL at head dimension D (none: the file's defaults).
class_defines() {
    python3 - "$root/src/main/resources/profiles/builtin.json" "$class" "$1" "$2" <<'PY'
import json, sys
table, cls, kernel, d = json.load(open(sys.argv[1]))["deviceClasses"], sys.argv[2], sys.argv[3], int(sys.argv[4])
fits = [e for e in table if e["deviceClass"] == cls and e["kernel"] == kernel
        and (e.get("maxHeadDim", 0) == 0 or d <= e["maxHeadDim"])]
best = min(fits, key=lambda e: e.get("maxHeadDim") or 1 << 30, default=None)
print(" ".join(f"-D{k}={v}" for k, v in (best or {"params": {}})["params"].items()))
PY
}

amd_report() { # KERNEL D DEFINES...: one line like ptx-report's
    local k="$1" d="$2"; shift 2
    local tmp; tmp="$(mktemp -d)"
    cat "$root/kernels/common.cl" "$root/kernels/$k.cl" > "$tmp/k.cl"
    clang-15 -x cl -cl-std=CL1.2 -target amdgcn-amd-amdhsa -mcpu="$arch" -nogpulib -Xclang -finclude-default-header \
        -w -O3 -emit-llvm -c "$tmp/k.cl" -o "$tmp/k.bc" -I "$root/kernels" -DHEAD_D="$d" -DHEAD_DV="$d" "$@"
    llvm-link-15 "$tmp/k.bc" /usr/lib/clc/amdgcn--amdhsa.bc -o "$tmp/l.bc" 2>/dev/null
    /usr/lib/llvm-15/bin/opt -O3 "$tmp/l.bc" -o "$tmp/o.bc"
    /usr/lib/llvm-15/bin/llc -march=amdgcn -mcpu="$arch" -filetype=obj "$tmp/o.bc" -o "$tmp/k.o" \
        -pass-remarks-analysis=kernel-resource-usage 2> "$tmp/r.txt"
    python3 - "$tmp/r.txt" "$k" "$arch" <<'PY'
import re, sys
r, k, arch = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
blocks = r.split("Function Name: ")
b = next(x for x in blocks if x.startswith(k))
g = lambda key: re.search(re.escape(key) + r": (\d+)", b).group(1)
vgprs, spills, scratch = g("VGPRs"), g("VGPRs Spill"), g("ScratchSize [bytes/lane]")
lds, waves = g("LDS Size [bytes/block]"), g("Occupancy [waves/SIMD]")
print(f"{k} on {arch}: VGPRs {vgprs}, VGPR spills {spills}, scratch {scratch} B/lane, LDS {lds} B, {waves} waves/SIMD")
PY
    rm -rf "$tmp"
}

rows=()
for d in 64 128; do
    for k in "${kernels[@]}"; do
        read -r -a defs <<< "$(class_defines "$k" "$d")"
        if [ "$class" = amd-gpu ]; then
            line="$(amd_report "$k" "$d" "${defs[@]}")"
        else
            line="$(bash "$report" -a "$arch" "$root/kernels/common.cl" "$root/kernels/$k.cl" -- \
                -I "$root/kernels" -DHEAD_D="$d" -DHEAD_DV="$d" "${defs[@]}" 2>&1 | grep "^$k on $arch:" || true)"
        fi
        [ -n "$line" ] || { echo "static.sh: no summary for $k (D=$d)" >&2; exit 1; }
        echo "D=$d ${defs[*]:-(file defaults)} $line"
        rows+=("$d|${defs[*]:-file defaults}|$line")
    done
done
if [ -n "$out" ]; then
    {
        if [ "$class" = amd-gpu ]; then
            echo "| D | kernel | parameters over the file's | VGPRs | VGPR spills | LDS | waves/SIMD |"
            echo "|---|---|---|---:|---:|---:|---:|"
        else
            echo "| D | kernel | parameters over the file's | registers | spills | local memory | work-items | warps/SM (occupancy) | FMA per local float |"
            echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
        fi
        for r in "${rows[@]}"; do
            python3 - "$r" "$class" <<'PY'
import re, sys
d, params, line = sys.argv[1].split("|", 2)
if sys.argv[2] == "amd-gpu":
    patterns = [r"^(\w+) on", r"VGPRs (\d+)", r"VGPR spills (\d+)", r"LDS (\d+ B)", r"(\d+) waves/SIMD"]
else:
    patterns = [r"^(\w+) on", r"registers (\d+)", r"spill stores (\d+ B)", r"local memory (\d+ B)",
                r"work-group (\d+)", r"(\d+ of \d+ warps = \d+%)", r"local memory ([\d.]+) \("]
cells = [(re.search(p, line) or [None, "-"])[1] for p in patterns]
params = params.replace("-D", "").replace(" ", ", ") if params != "file defaults" else "—"
print("| " + " | ".join([d, cells[0], params] + cells[1:]) + " |")
PY
        done
    } > "$out"
    echo "wrote $out"
fi
