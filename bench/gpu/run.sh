#!/usr/bin/env bash
# Device-tool commands for a GPU session, after bench/gpu/pack.sh here. A tool call may run 10 minutes, so
# the work comes in three steps, one call each (carry [".gpu"]):
#   bash bench/gpu/run.sh check   clattn info and the whole JUnit suite on the GPU            (~5 min)
#   bash bench/gpu/run.sh bench   the PyTorch peer, then clattn bench untuned beside it        (~8 min)
#   bash bench/gpu/run.sh tune    clattn tune for D=64 and D=128, then bench with the profile  (~9 min)
#   bash bench/gpu/run.sh decode  decode from the paged KV cache against re-uploading K and V  (~2 min)
# Each leaves $OUT/STEP.tgz (the tool returns at most 8 files) and $OUT/STEP.log; a part that fails is
# logged and the rest still run. GPU_PRESET, GPU_N, GPU_TUNE_SEQ and GPU_TUNE_SECONDS change the sizes.
set -uo pipefail
step="${1:?usage: run.sh check|bench|tune|decode}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="${OUT:-/tmp/out}"
res="/tmp/clattn-$step"
rm -rf "$res" && mkdir -p "$res" "$out"
preset="${GPU_PRESET:-flash}"
n="${GPU_N:-512,1024,2048,4096,8192,16384}"
tune_s="${GPU_TUNE_SECONDS:-150}"
tune_n="${GPU_TUNE_SEQ:-4096}"
trap 'tar czf "$out/$step.tgz" -C "$res" . 2>/dev/null' EXIT
exec > >(tee "$res/$step.log" "$out/$step.log") 2>&1

source .gpu/env.sh
jre="$(cd "$(dirname "$JAVA")/.." && pwd)"
[ -f "$jre/lib/libjsig.so" ] && export LD_PRELOAD="$jre/lib/libjsig.so"
# State between steps (profiles, peer.csv) lives in target/, which stays on the machine while it is warm.
export CLATTN_PROFILES="$root/target/gpu-state/profiles"
app=.gpu/app
clattn=("$JAVA" -XX:-PrintWarnings -Xmx48g -Djava.awt.headless=true -jar "$app/clattn-cli.jar")
say() { echo "=== $(date -u +%H:%M:%S) $*"; }

case "$step" in
check)
    say info
    "${clattn[@]}" info | tee "$res/info.txt"
    nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,memory.total --format=csv | tee "$res/nvidia-smi.csv"
    say tests
    CLATTN_REQUIRE_OPENCL=1 CLATTN_PROFILES=none timeout 420 "$JAVA" -XX:-PrintWarnings -Xmx48g \
        -jar "$app"/junit-platform-console-standalone-*.jar execute --disable-banner --details=summary \
        --class-path "$app/test-classes:$app/clattn-cli.jar" --scan-class-path --reports-dir "$res/junit" \
        > "$res/tests.txt" 2>&1
    echo "tests exit $?"
    tail -30 "$res/tests.txt"
    ;;
bench)
    say peer
    PYTHONUNBUFFERED=1 timeout 200 python3 bench/peers/sdpa.py --preset "$preset" --n "$n" --out "$res"
    peer=()
    [ -f "$res/peer.csv" ] && peer=(--peer "$res/peer.csv") && mkdir -p target/gpu-state && cp "$res/peer.csv" target/gpu-state/peer.csv
    say bench untuned
    timeout 330 "${clattn[@]}" bench --preset "$preset" --n "$n" --paths fused,three-kernel --storage f32,f16 \
        --tuning defaults "${peer[@]}" --out "$res"
    ;;
tune)
    for d in 64 128; do
        say tune D=$d
        timeout $((tune_s + 40)) "${clattn[@]}" tune --kernel attention_flash --batch $((16384 / tune_n)) \
            --heads $((2048 / d)) --seq "$tune_n" --dim $d --strategy auto --max-seconds "$tune_s" --cache "$res/tune-cache"
    done
    say tune attention_paged
    timeout 120 "${clattn[@]}" tune --kernel attention_paged --batch 4 --heads 8 --seq 32768 --dim 64 \
        --strategy auto --max-seconds 60 --cache "$res/tune-cache"
    cp -r "$CLATTN_PROFILES" "$res/profiles" 2>/dev/null
    peer=()
    [ -f target/gpu-state/peer.csv ] && peer=(--peer target/gpu-state/peer.csv)
    say bench tuned
    timeout 200 "${clattn[@]}" bench --preset "$preset" --n "$n" --paths fused --tuning profiles "${peer[@]}" \
        --out "$res"
    ;;
decode)
    say decode
    timeout 200 "${clattn[@]}" bench --preset decode --paths fused,kv-cache --repeat 9 --out "$res"
    ;;
*)
    echo "run.sh: expected check, bench, tune or decode, got '$step'"
    exit 2
    ;;
esac
say done
