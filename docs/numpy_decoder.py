#!/usr/bin/env python3
"""Rebuilds a checkpoint's decoder and RBM prior with numpy alone, from the files the checkpoint holds.

    python3 docs/numpy_decoder.py runs/NAME/checkpoints/step-NNNNNNN [samples.png]

model.json lists the decoder's steps on tensors named in params/manifest.json and the prior's energy; check/ holds a
few latent states with the decoder's logits and the prior's energy as the Java code computed them. This script
follows the steps, compares its results with check/, and, given a file name, draws 64 samples from the prior by block
Gibbs sampling and writes their decoded pixel means as an 8 x 8 grid of 28 x 28 images (grey-scale PNG).
"""
import json
import re
import struct
import sys
import zlib
from pathlib import Path

import numpy as np


def load(checkpoint):
    manifest = json.loads((checkpoint / "model.json").read_text())
    files = {t["name"]: t["file"] for t in json.loads((checkpoint / "params" / "manifest.json").read_text())["tensors"]}

    def tensor(name):
        return np.load(checkpoint / "params" / files[name]).astype(np.float64)

    mean_pixel = np.load(checkpoint / "mean_pixel.npy").astype(np.float64)
    return manifest, tensor, mean_pixel


def decoder_logits(z, steps, tensor, mean_pixel):
    h = z.astype(np.float64)
    for step in steps:
        op = step["op"]
        if op == "matmul":
            h = h @ tensor(step["kernel"])
        elif op == "add" and "bias" in step:
            h = h + tensor(step["bias"])
        elif op == "add":
            first = int(re.fullmatch(r"logit\(clip\(mean_pixel\[(\d+):\], 1e-3, 1 - 1e-3\)\)", step["offset"]).group(1))
            m = np.clip(mean_pixel[first:], 1e-3, 1 - 1e-3)
            h = h + np.log(m / (1 - m))
        elif op == "batch_norm":
            h = (tensor(step["gamma"]) * (h - tensor(step["moving_mean"]))
                 / np.sqrt(tensor(step["moving_variance"]) + step["eps"]) + tensor(step["beta"]))
        elif op == "tanh":
            h = np.tanh(h)
        else:
            raise ValueError(f"unknown step {step}")
    return h


def prior_energy(z, b1, b2, w):
    n1 = b1.size
    z1, z2 = z[:, :n1], z[:, n1:]
    return -(z1 @ b1.ravel()) - (z2 @ b2.ravel()) - np.einsum("ri,ij,rj->r", z1, w, z2)


def gibbs_samples(b1, b2, w, count, sweeps, rng):
    z1 = (rng.random((count, b1.size)) < 0.5).astype(np.float64)
    sigmoid = lambda a: 1 / (1 + np.exp(-a))
    for _ in range(sweeps):
        z2 = (rng.random((count, b2.size)) < sigmoid(z1 @ w + b2)).astype(np.float64)
        z1 = (rng.random((count, b1.size)) < sigmoid(z2 @ w.T + b1)).astype(np.float64)
    return np.hstack([z1, z2])


def write_png(path, grey):
    """An 8-bit grey-scale PNG of a 2-D uint8 array, with the standard library alone."""
    height, width = grey.shape
    rows = b"".join(b"\x00" + grey[r].tobytes() for r in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                  + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def main():
    checkpoint = Path(sys.argv[1])
    manifest, tensor, mean_pixel = load(checkpoint)
    if "decoder" not in manifest or not (checkpoint / "check").is_dir():
        sys.exit(f"{checkpoint}: model.json has no decoder steps or check/ is missing (written by an older version)")
    steps = manifest["decoder"]["steps"]
    prior = manifest["prior"]
    b1, b2, w = tensor(prior["b1"]), tensor(prior["b2"]), tensor(prior["W"])

    z = np.load(checkpoint / "check" / "z.npy")
    logits = decoder_logits(z, steps, tensor, mean_pixel)
    expected = np.load(checkpoint / "check" / "decoder_logits.npy")
    energy = prior_energy(z.astype(np.float64), b1, b2, w)
    expected_energy = np.load(checkpoint / "check" / "prior_energy.npy")
    logit_error = np.max(np.abs(logits - expected) / (1 + np.abs(expected)))
    energy_error = np.max(np.abs(energy - expected_energy) / (1 + np.abs(expected_energy)))
    print(f"{manifest['label']}: decoder logits within {logit_error:.1e} (relative) of check/, "
          f"prior energies within {energy_error:.1e}")
    if logit_error > 1e-4 or energy_error > 1e-9:
        sys.exit("the rebuilt model does not match check/")

    if len(sys.argv) > 2:
        samples = gibbs_samples(b1, b2, w, 64, 1000, np.random.default_rng(1))
        pixels = 1 / (1 + np.exp(-decoder_logits(samples, steps, tensor, mean_pixel)))
        if pixels.shape[1] != 784:
            sys.exit("the decoder predicts part of the image (structured prediction): no grid written")
        grid = pixels.reshape(8, 8, 28, 28).transpose(0, 2, 1, 3).reshape(8 * 28, 8 * 28)
        write_png(sys.argv[2], np.round(255 * grid).astype(np.uint8))
        print(f"64 prior samples (1000 Gibbs sweeps each, decoded pixel means) written to {sys.argv[2]}")


if __name__ == "__main__":
    main()
