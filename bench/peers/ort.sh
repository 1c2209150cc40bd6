#!/usr/bin/env bash
# ONNX Runtime (Java API) peer rows for `clattn bench --peer`: fetches the ORT jar with Maven into the local
# repository (a bench-only dependency: it never enters clattn's jar or pom) and runs OrtPeer.java on clattn's
# own inputs and float64 check.
#   bench/peers/ort.sh OUT.csv REPEAT B,H,N,D[,causal] ...
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="${ORT_VERSION:-1.23.2}"
[ $# -ge 3 ] || { echo "usage: bench/peers/ort.sh OUT.csv REPEAT B,H,N,D[,causal] ..." >&2; exit 2; }
mvn -q -B dependency:get -Dartifact="com.microsoft.onnxruntime:onnxruntime:$version" >&2 \
    || { echo "ort.sh: could not fetch com.microsoft.onnxruntime:onnxruntime:$version with Maven" >&2; exit 1; }
repo="${MAVEN_REPO:-$HOME/.m2/repository}"
ort="$repo/com/microsoft/onnxruntime/onnxruntime/$version/onnxruntime-$version.jar"
[ -f "$ort" ] || { echo "ort.sh: no $ort after the fetch (set MAVEN_REPO to the local repository)" >&2; exit 1; }
"$root/clattn" --version >/dev/null # builds the CLI jar when it is missing or stale
jar="$(ls "$root"/target/clattn-*-cli.jar | head -n 1)"
exec java -XX:-PrintWarnings -cp "$jar:$ort" "$here/OrtPeer.java" "$@"
