#!/usr/bin/python3
"""PyTorch half of `bench/run recipe-check`: replays MedFL's cnn-niid steps and says how far apart the two end.

Reads what org.medfl.bench.RecipeCheck wrote (initial and final parameters in PyTorch's layout, the loss of every
step), loads the initial parameters into NIID-Bench's CNN for 28x28 input (conv 5x5x6, max-pool 2, conv 5x5x16,
max-pool 2, dense 120, dense 84, dense 10), and trains it on the same images in the same order with NIID-Bench's
optimiser: torch.optim.SGD(lr 0.01, momentum 0.9, weight_decay 1e-5) on the mean cross-entropy. PyTorch's weight
decay covers the biases too; DL4J's L2 leaves them alone, so --bias-decay no replays DL4J's rule and shows whether
anything else differs. Prints, per parameter, the largest difference from DL4J's final values against the size of
the change both made, then the per-step losses side by side. Run with Debian's /usr/bin/python3 (python3-torch).
"""
import argparse
import gzip
import os
import struct

import numpy as np
import torch
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist"
# DL4J parameter keys in network order, and the PyTorch module attribute each one is.
LAYERS = {"0": "conv1", "2": "conv2", "4": "fc1", "5": "fc2", "6": "fc3"}


def read_idx(path):
    with gzip.open(path, "rb") as f:
        magic, = struct.unpack(">i", f.read(4))
        dims = struct.unpack(">" + "i" * (magic & 0xFF), f.read(4 * (magic & 0xFF)))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


class CnnNiid(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = x.view(-1, 16 * 4 * 4)
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


def load(directory, prefix, key, shape):
    values = np.fromfile(os.path.join(directory, f"{prefix}-{key}.f32"), dtype="<f4")
    return torch.from_numpy(values.reshape(shape).copy())


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dir", help="RecipeCheck's output folder")
    p.add_argument("--bias-decay", choices=["yes", "no"], default="no",
                   help="yes: weight decay on biases too (PyTorch's and NIID-Bench's rule); no: weights only (DL4J's)")
    args = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)

    shapes = {}
    for line in open(os.path.join(args.dir, "params.txt")):
        key, dims = line.split()
        shapes[key] = tuple(int(d) for d in dims.split(","))
    net = CnnNiid()
    with torch.no_grad():
        for key, shape in shapes.items():
            layer, kind = key.split("_")
            target = getattr(getattr(net, LAYERS[layer]), "weight" if kind == "W" else "bias")
            target.copy_(load(args.dir, "init", key, shape))

    dl4j_losses = [float(v) for v in open(os.path.join(args.dir, "losses.txt"))]
    images = len(dl4j_losses) * 64
    x = read_idx(f"{DATA}/train-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    y = read_idx(f"{DATA}/train-labels-idx1-ubyte.gz").astype(np.int64)
    x = torch.from_numpy(x[:images]).unsqueeze(1).contiguous()
    y = torch.from_numpy(y[:images])

    weights = [m.weight for m in (net.conv1, net.conv2, net.fc1, net.fc2, net.fc3)]
    biases = [m.bias for m in (net.conv1, net.conv2, net.fc1, net.fc2, net.fc3)]
    groups = [{"params": weights, "weight_decay": 1e-5},
              {"params": biases, "weight_decay": 1e-5 if args.bias_decay == "yes" else 0.0}]
    optimizer = torch.optim.SGD(groups, lr=0.01, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    torch_losses = []
    net.train()
    for step in range(len(dl4j_losses)):
        xb, yb = x[step * 64:(step + 1) * 64], y[step * 64:(step + 1) * 64]
        optimizer.zero_grad()
        loss = criterion(net(xb), yb)
        loss.backward()
        optimizer.step()
        torch_losses.append(loss.item())

    print(f"pytorch replay of {len(dl4j_losses)} steps, weight decay on biases: {args.bias_decay}")
    print(f"{'parameter':10s} {'max |torch - dl4j|':>20s} {'max |change|':>14s} {'relative L2 diff':>17s}")
    worst = 0.0
    with torch.no_grad():
        for key, shape in shapes.items():
            layer, kind = key.split("_")
            mine = getattr(getattr(net, LAYERS[layer]), "weight" if kind == "W" else "bias")
            theirs = load(args.dir, "final", key, shape)
            start = load(args.dir, "init", key, shape)
            diff = (mine - theirs).abs().max().item()
            change = (theirs - start).abs().max().item()
            rel = ((mine - theirs).norm() / (theirs - start).norm()).item()
            worst = max(worst, rel)
            print(f"{key:10s} {diff:20.3e} {change:14.3e} {rel:17.3e}")
    print(f"largest relative difference, against the change a pass made: {worst:.3e}")
    print("step  dl4j loss (with L2 term)  pytorch loss")
    for step in sorted({0, 1, 2, len(dl4j_losses) // 2, len(dl4j_losses) - 1}):
        print(f"{step + 1:4d}  {dl4j_losses[step]:24.6f}  {torch_losses[step]:12.6f}")


if __name__ == "__main__":
    main()
