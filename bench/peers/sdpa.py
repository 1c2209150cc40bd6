#!/usr/bin/env python3
"""PyTorch's scaled_dot_product_attention on the shapes `clattn bench` runs, with the same FLOP formula.

Variants (each checked against float64 on sampled rows before it is timed):
  fp32       float32, TF32 off, the memory-efficient backend (the fair peer of clattn's fp32 kernels)
  fp32-tf32  float32 inputs with TF32 allowed, PyTorch's own backend choice
  fp16       float16, the flash backend (float64 reference on the fp16-rounded inputs)

On the CPU (--device cpu) only fp32 runs, with PyTorch's own backend choice (its flash-style CPU kernel, which
skips the masked half when causal), on all cores.

Timing: CUDA events around each call (wall clock on the CPU), warm-up, then --repeat calls; median and min
reported. GFLOP/s = 4*B*H*Nq*Nk*D / time, halved when causal (as clattn counts).

  python3 bench/peers/sdpa.py --preset flash --out DIR      # writes DIR/peer.csv and DIR/peer.json
  python3 bench/peers/sdpa.py --device cpu --shape 1,8,1024,64 --shape 4,12,512,64 --variants fp32 --out DIR
"""
import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn.functional as F

try:
    from torch.nn.attention import SDPBackend, sdpa_kernel
except ImportError:
    sys.exit(f"sdpa.py: needs PyTorch >= 2.3 (torch.nn.attention, scaled_dot_product_attention); found {torch.__version__}")


def cpu_name():
    """The CPU's model name where Linux tells it (platform.processor() is often empty)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def parse_shape(text):
    """B,H,N,D as four positive integers."""
    try:
        shape = tuple(int(x) for x in text.split(","))
    except ValueError:
        shape = ()
    if len(shape) != 4 or min(shape) < 1:
        raise argparse.ArgumentTypeError(f"expected B,H,N,D (four positive integers), got {text!r}")
    return shape


def preset_shapes(name, lengths):
    """(B, H, N, D) as clattn's presets define them."""
    if name in ("flash", "gpu"):
        ns = lengths or [512, 1024, 2048, 4096, 8192, 16384]
        return [(max(1, 16384 // n), 2048 // d, n, d) for d in (64, 128) for n in ns]
    if name == "cpu":
        return [(1, 8, n, 64) for n in (lengths or [512, 1024, 2048, 4096])]
    raise SystemExit(f"--preset: expected flash, gpu or cpu, got {name!r}")


CPU_VARIANTS = ("fp32",)

VARIANTS = {
    "fp32": (torch.float32, False, [SDPBackend.EFFICIENT_ATTENTION]),
    "fp32-tf32": (torch.float32, True, None),
    "fp16": (torch.float16, False, [SDPBackend.FLASH_ATTENTION]),
}


def sampled_error(q, k, v, out, causal, rows, gen):
    """Largest |out - exact| over `rows` random (batch, head, query) rows, exact in float64."""
    b, h, n, d = q.shape
    worst = 0.0
    scale = 1.0 / math.sqrt(d)
    for _ in range(rows):
        bi = int(torch.randint(b, (1,), generator=gen))
        hi = int(torch.randint(h, (1,), generator=gen))
        i = int(torch.randint(n, (1,), generator=gen))
        visible = i + 1 if causal else k.shape[2]
        qs = q[bi, hi, i].double()
        ks = k[bi, hi, :visible].double()
        vs = v[bi, hi, :visible].double()
        w = torch.softmax(ks @ qs * scale, dim=0)
        exact = w @ vs
        worst = max(worst, (exact - out[bi, hi, i].double()).abs().max().item())
    return worst


def timed(call, device, repeat):
    """Milliseconds of each of `repeat` calls, sorted."""
    times = []
    for _ in range(repeat):
        if device == "cpu":
            t0 = time.perf_counter()
            call()
            times.append((time.perf_counter() - t0) * 1e3)
            continue
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        call()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times)


def run(variant, shape, causal, repeat, warmup, max_error, device):
    dtype, tf32, backends = VARIANTS[variant]
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    if device == "cpu":
        backends = None
    b, h, n, d = shape
    gen = torch.Generator(device="cpu").manual_seed(1)
    q, k, v = (torch.randn(b, h, n, d, generator=gen).to(device, dtype) for _ in range(3))

    def call():
        if backends is None:
            return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        with sdpa_kernel(backends):
            return F.scaled_dot_product_attention(q, k, v, is_causal=causal)

    out = call()
    if device == "cuda":
        torch.cuda.synchronize()
    error = sampled_error(q, k, v, out, causal, 16, gen)
    limit = max_error if dtype == torch.float32 and not tf32 else 5e-3
    if not error <= limit:
        raise RuntimeError(f"{variant} {shape} causal={causal}: max error {error:.3g} over {limit:g}; not timed")
    for _ in range(warmup):
        call()
    times = timed(call, device, repeat)
    flops = 4.0 * b * h * n * n * d / (2 if causal else 1)
    median = statistics.median(times)
    return {"path": "pytorch-" + variant, "B": b, "H": h, "Nq": n, "Nk": n, "D": d, "causal": causal,
            "median_ms": median, "min_ms": times[0], "gflops": flops / (median * 1e6), "max_error": error}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="flash")
    ap.add_argument("--n", type=lambda s: [int(x) for x in s.split(",")], help="sequence lengths")
    ap.add_argument("--shape", action="append", type=parse_shape, metavar="B,H,N,D",
                    help="a shape to run instead of the preset's (repeatable)")
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    ap.add_argument("--variants", default="fp32,fp32-tf32,fp16")
    ap.add_argument("--causal", default="both", choices=["both", "yes", "no"])
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--max-error", type=float, default=1e-4)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("sdpa.py: no CUDA device (--device cpu runs on the CPU)")
    if args.device == "cpu":
        torch.set_num_threads(os.cpu_count())
    if args.repeat < 7 and args.device == "cuda":
        sys.exit(f"--repeat: expected >= 7, got {args.repeat}")
    variants = args.variants.split(",")
    for v in variants:
        if v not in VARIANTS:
            sys.exit(f"--variants: expected some of {', '.join(VARIANTS)}, got {v!r}")
        if args.device == "cpu" and v not in CPU_VARIANTS:
            sys.exit(f"--variants: expected {', '.join(CPU_VARIANTS)} with --device cpu, got {v!r}")
    causals = {"both": [False, True], "yes": [True], "no": [False]}[args.causal]
    rows = []
    for shape in args.shape or preset_shapes(args.preset, args.n):
        for causal in causals:
            for v in variants:
                try:
                    r = run(v, shape, causal, args.repeat, args.warmup, args.max_error, args.device)
                except (RuntimeError, torch.cuda.OutOfMemoryError) as e:
                    print(f"{v} {shape} causal={causal}: {e}", file=sys.stderr)
                    if args.device == "cuda":
                        torch.cuda.empty_cache()
                    continue
                rows.append(r)
                print(f"{r['path']:18s} B={r['B']:<3d} H={r['H']:<3d} N={r['Nq']:<6d} D={r['D']:<4d} "
                      f"{'causal' if causal else 'full  '} {r['median_ms']:9.3f} ms {r['gflops']:9.1f} GFLOP/s "
                      f"err {r['max_error']:.1e}", flush=True)
    os.makedirs(args.out, exist_ok=True)
    device = (torch.cuda.get_device_name() if args.device == "cuda"
              else f"{cpu_name()} ({torch.get_num_threads()} threads)")
    meta = {"torch": torch.__version__, "cuda": torch.version.cuda, "device": device,
            "python": platform.python_version(), "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    with open(os.path.join(args.out, "peer.json"), "w") as f:
        json.dump({**meta, "rows": rows}, f, indent=2)
    with open(os.path.join(args.out, "peer.csv"), "w") as f:
        f.write("path,B,H,Nq,Nk,D,causal,median_ms,min_ms,gflops,max_error,device\n")
        for r in rows:
            f.write(f"{r['path']},{r['B']},{r['H']},{r['Nq']},{r['Nk']},{r['D']},{str(r['causal']).lower()},"
                    f"{r['median_ms']:.4f},{r['min_ms']:.4f},{r['gflops']:.2f},{r['max_error']:.2e},"
                    f"\"{meta['device']}\"\n")


if __name__ == "__main__":
    main()
