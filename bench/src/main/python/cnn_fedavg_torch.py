#!/usr/bin/python3
"""PyTorch CPU baseline for `bench/run torch-compare`: cnn-fedavg on Fashion-MNIST, one epoch, then the test set.

The same network as ModelZoo's cnn-fedavg (McMahan et al. 2017, arXiv 1602.05629): conv 5x5x32 "same", max-pool 2,
conv 5x5x64 "same", max-pool 2, dense 512 relu, softmax (cross-entropy on logits). Same data (Debian's
dataset-fashion-mnist, pixels / 255), batch size, optimiser and learning rate as the Java side. Prints one line:
  pytorch: <images/s> images/s, <images> images in <s> s, test accuracy <acc>, threads <n>, init <init>
Run with Debian's /usr/bin/python3 (python3-torch); nothing is downloaded.
"""
import argparse
import gzip
import math
import struct
import time

import numpy as np
import torch
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        magic, = struct.unpack(">i", f.read(4))
        dims = struct.unpack(">" + "i" * (magic & 0xFF), f.read(4 * (magic & 0xFF)))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def load(prefix):
    x = read_idx(f"{DATA}/{prefix}-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    y = read_idx(f"{DATA}/{prefix}-labels-idx1-ubyte.gz").astype(np.int64)
    return torch.from_numpy(x).unsqueeze(1).contiguous(), torch.from_numpy(y)


def cnn_fedavg(classes=10):
    return nn.Sequential(
        nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 512), nn.ReLU(), nn.Linear(512, classes))


def dl4j_like_init(model):
    """DL4J's cnn-fedavg initialisation: He normal (WeightInit.RELU) for conv and hidden dense weights, Xavier
    (normal, std sqrt(2/(fan_in+fan_out))) for the output layer, biases 0."""
    layers = [m for m in model if isinstance(m, (nn.Conv2d, nn.Linear))]
    for i, m in enumerate(layers):
        fan_in = m.weight[0].numel()
        fan_out = m.weight.shape[0] * (m.weight[0, 0].numel() if m.weight.dim() > 2 else 1)
        std = math.sqrt(2.0 / (fan_in + fan_out)) if i == len(layers) - 1 else math.sqrt(2.0 / fan_in)
        with torch.no_grad():
            m.weight.normal_(0.0, std)
            m.bias.zero_()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--images", type=int, default=60000, help="training images (first N of the 60,000)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--init", choices=["torch", "dl4j"], default="torch",
                   help="torch: PyTorch's defaults (Kaiming-uniform a=sqrt(5)); dl4j: He normal / Xavier, bias 0")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x, y = load("train")
    x, y = x[:a.images], y[:a.images]
    tx, ty = load("t10k")
    model = cnn_fedavg()
    if a.init == "dl4j":
        dl4j_like_init(model)
    opt = (torch.optim.Adam(model.parameters(), lr=a.lr) if a.optimizer == "adam"
           else torch.optim.SGD(model.parameters(), lr=a.lr))
    loss_fn = nn.CrossEntropyLoss()  # mean over the minibatch, as DL4J's MCXENT

    # Warm-up on a few batches (allocator, oneDNN primitives), on a throwaway copy so training starts fresh.
    warm = cnn_fedavg()
    warm_opt = torch.optim.Adam(warm.parameters(), lr=a.lr)
    for i in range(5):
        warm_opt.zero_grad()
        loss_fn(warm(x[i * a.batch:(i + 1) * a.batch]), y[i * a.batch:(i + 1) * a.batch]).backward()
        warm_opt.step()

    model.train()
    order = torch.randperm(len(y))
    start = time.perf_counter()
    for i in range(0, len(y), a.batch):
        idx = order[i:i + a.batch]
        opt.zero_grad()
        loss_fn(model(x[idx]), y[idx]).backward()
        opt.step()
    seconds = time.perf_counter() - start

    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(ty), 512):
            correct += (model(tx[i:i + 512]).argmax(1) == ty[i:i + 512]).sum().item()
    print(f"pytorch: {len(y) / seconds:.0f} images/s, {len(y)} images in {seconds:.2f} s, "
          f"test accuracy {correct / len(ty):.4f}, threads {torch.get_num_threads()}, init {a.init}, "
          f"batch {a.batch}, {a.optimizer} lr {a.lr}", flush=True)


if __name__ == "__main__":
    main()
