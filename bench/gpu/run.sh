#!/usr/bin/env bash
# One device-tool command for a GPU session (after bench/gpu/pack.sh here): clattn info, the whole JUnit
# suite on the GPU, the PyTorch peer, clattn bench (untuned), clattn tune for D=64 and D=128, and clattn
# bench again with the tuned profile. Everything lands in $OUT/results.tgz (the tool returns at most 8
# files), with the log beside it; a step that fails is logged and the rest still run.
#   GPU_PRESET=flash GPU_N=512,...,16384 GPU_TUNE_SECONDS=150 bash bench/gpu/run.sh
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="${OUT:-/tmp/out}"
res=/tmp/clattn-results
rm -rf "$res" && mkdir -p "$res" "$out"
preset="${GPU_PRESET:-flash}"
n="${GPU_N:-512,1024,2048,4096,8192,16384}"
tune_s="${GPU_TUNE_SECONDS:-150}"
trap 'tar czf "$out/results.tgz" -C "$res" . 2>/dev/null' EXIT
exec > >(tee "$res/run.log" "$out/run.log") 2>&1

source .gpu/env.sh
export LD_PRELOAD="$(dirname "$JAVA")/../lib/libjsig.so"
export CLATTN_PROFILES="$res/profiles"
app=.gpu/app
clattn() { "$JAVA" -XX:-PrintWarnings -Xmx24g -Djava.awt.headless=true -jar "$app/clattn-cli.jar" "$@"; }
step() { echo "=== $(date -u +%H:%M:%S) $*"; }

step info
clattn info | tee "$res/info.txt"
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,memory.total --format=csv > "$res/nvidia-smi.csv" 2>&1

step tests
CLATTN_REQUIRE_OPENCL=1 timeout 420 "$JAVA" -XX:-PrintWarnings -Xmx24g -jar "$app"/junit-platform-console-standalone-*.jar \
    execute --class-path "$app/test-classes:$app/clattn-cli.jar" --scan-class-path --disable-banner \
    --details=summary --reports-dir "$res/junit" > "$res/tests.txt" 2>&1
echo "tests exit $?"; tail -25 "$res/tests.txt"

step peer
PYTHONUNBUFFERED=1 timeout 400 python3 bench/peers/sdpa.py --preset "$preset" --n "$n" --out "$res/peer"

peer=(); [ -f "$res/peer/peer.csv" ] && peer=(--peer "$res/peer/peer.csv")

step bench untuned
timeout 900 clattn bench --preset "$preset" --n "$n" --paths fused,three-kernel --storage f32,f16 \
    --tuning defaults "${peer[@]}" --out "$res/bench-defaults"

for d in 64 128; do
    step tune D=$d
    timeout $((tune_s + 60)) clattn tune --kernel attention_fused --batch 4 --heads $((2048 / d)) --seq 4096 --dim $d \
        --strategy auto --max-seconds "$tune_s" --cache "$res/tune-d$d.jsonl"
done

step bench tuned
timeout 900 clattn bench --preset "$preset" --n "$n" --paths fused --tuning profiles "${peer[@]}" \
    --out "$res/bench-tuned"
step done
