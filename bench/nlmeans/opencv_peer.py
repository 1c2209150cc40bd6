#!/usr/bin/python3
"""OpenCV's fastNlMeansDenoising beside `clattn nlmeans`, on the same noisy image.

usage: opencv_peer.py CLEAN.png NOISY.png CLATTN_OUT.png [--h 20 --patch 7 --search 21 --threads 2 --repeat 7]
Prints OpenCV's median time, the PSNR of noisy, OpenCV and clattn outputs against CLEAN, and how far apart
OpenCV's (integer, look-up-table) weights leave its output from clattn's exact one.
"""
import argparse
import time

import cv2
import numpy as np


def psnr(a, b):
    return 10 * np.log10(255.0 ** 2 / np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("clean")
    p.add_argument("noisy")
    p.add_argument("clattn")
    p.add_argument("--h", type=float, default=20)
    p.add_argument("--patch", type=int, default=7)
    p.add_argument("--search", type=int, default=21)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=7)
    a = p.parse_args()
    cv2.setNumThreads(a.threads)
    clean = cv2.imread(a.clean, cv2.IMREAD_UNCHANGED)
    noisy = cv2.imread(a.noisy, cv2.IMREAD_UNCHANGED)
    ours = cv2.imread(a.clattn, cv2.IMREAD_UNCHANGED)
    # fastNlMeansDenoising takes 1 to 4 channels and weighs a pair by its distance over all of them, as clattn
    # does (fastNlMeansDenoisingColored would denoise in CIELAB, another filter).
    denoise = cv2.fastNlMeansDenoising
    args = (None, a.h, a.patch, a.search)
    out = denoise(noisy, *args)
    times = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        out = denoise(noisy, *args)
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    print(f"opencv {cv2.__version__}, {a.threads} threads: {times[len(times) // 2]:.1f} ms median of {a.repeat} "
          f"(min {times[0]:.1f})")
    print(f"PSNR: noisy {psnr(noisy, clean):.2f} dB, opencv {psnr(out, clean):.2f} dB, clattn {psnr(ours, clean):.2f} dB")
    diff = np.abs(out.astype(np.int32) - ours.astype(np.int32))
    print(f"opencv vs clattn: max |diff| {diff.max()}, {np.mean(diff > 0) * 100:.1f}% of pixels differ")


if __name__ == "__main__":
    main()
