#!/usr/bin/env bash
# Packs .gpu/ for a GPU host that has a driver and Python with PyTorch but no Java: a jlink'd JRE, the
# OpenCL ICD loader (via ../shared/gpu/pack.sh), the CLI jar, the test classes and the JUnit console
# launcher. Then, with the device tool: carry [".gpu"], command "bash bench/gpu/run.sh".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
kit="${GPU_KIT:-$root/../shared/gpu/pack.sh}"
junit_console="org.junit.platform:junit-platform-console-standalone:1.11.4"

mvn -q -B -DskipTests package test-compile
mvn -q -B dependency:copy -Dartifact="$junit_console" -DoutputDirectory=target/gpu-app
cp target/clattn-*-cli.jar target/gpu-app/clattn-cli.jar
rm -rf target/gpu-app/test-classes && cp -r target/test-classes target/gpu-app/test-classes
# java.desktop: the benchmark's PNG chart (AWT, headless).
GPU_JRE_MODULES=java.base,java.logging,java.xml,java.naming,java.management,jdk.unsupported,jdk.zipfs,java.desktop \
    "$kit" -o .gpu target/gpu-app/*
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
du -sh .gpu
