#!/usr/bin/python3
"""NIID-Bench's FedAvg recipe in plain PyTorch, as the reference curve for MedFL's Fashion-MNIST federations.

Why: MedFL's local step equals NIID-Bench's PyTorch step to float rounding (bench/run recipe-check), yet on the
published Dir(0.5) draw it ends a point under the published 88.4 %. Flower, which produced that number, cannot be
installed here; this script runs the same recipe without it, so the two curves can be compared on this machine and
this partition: NIID-Bench's CNN for 28x28 input, PyTorch's default initialisation, every site every round,
torch.optim.SGD(lr 0.01, momentum 0.9, weight_decay 1e-5) made fresh each round, mean cross-entropy, batch 64
reshuffled every epoch (the last batch may be short), E local epochs, then the average of the sites' parameters
weighted by their image counts; the global model is tested on the official 10,000 test images after every round.
Sites train in --workers processes side by side, one PyTorch thread each. Run with Debian's /usr/bin/python3
(python3-torch, dataset-fashion-mnist).

Usage: niid_fedavg_torch.py --partition PATH [--rounds 50] [--epochs 10] [--workers 2] [--seed 42]
(PATH as written by niid_bench_partition.py: one line of training-image indices per site.)
"""
import argparse
import multiprocessing
import os
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from recipe_check_torch import DATA, CnnNiid, read_idx  # noqa: E402

BATCH = 64

# Filled in the parent before the workers fork, so they share the images instead of copying them per task.
TRAIN_X = TRAIN_Y = None


def train_site(task):
    """One site's round: load the global parameters, E epochs of SGD on its images; returns its parameters."""
    state, indices, epochs, seed = task
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(seed)
    net = CnnNiid()
    net.load_state_dict(state)
    optimiser = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-5)
    loss_fn = nn.CrossEntropyLoss()
    x, y = TRAIN_X[indices], TRAIN_Y[indices]
    net.train()
    for _ in range(epochs):
        order = torch.randperm(len(indices), generator=generator)
        for start in range(0, len(indices), BATCH):
            batch = order[start:start + BATCH]
            optimiser.zero_grad()
            loss_fn(net(x[batch]), y[batch]).backward()
            optimiser.step()
    return {k: v.detach().clone() for k, v in net.state_dict().items()}, len(indices)


def accuracy(net, x, y):
    net.eval()
    with torch.no_grad():
        return (net(x).argmax(1) == y).float().mean().item()


def main():
    global TRAIN_X, TRAIN_Y
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--partition", required=True)
    p.add_argument("--rounds", type=int, default=50)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)

    TRAIN_X = torch.from_numpy(read_idx(f"{DATA}/train-images-idx3-ubyte.gz").astype(np.float32) / 255.0).unsqueeze(1)
    TRAIN_Y = torch.from_numpy(read_idx(f"{DATA}/train-labels-idx1-ubyte.gz").astype(np.int64))
    test_x = torch.from_numpy(read_idx(f"{DATA}/t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0).unsqueeze(1)
    test_y = torch.from_numpy(read_idx(f"{DATA}/t10k-labels-idx1-ubyte.gz").astype(np.int64))
    sites = [torch.tensor([int(i) for i in line.split()]) for line in open(args.partition)
             if line.strip() and not line.startswith("#")]
    print(f"{len(sites)} sites, {sum(len(s) for s in sites)} images, {args.rounds} rounds of {args.epochs} epochs, "
          f"{args.workers} worker processes, seed {args.seed}", flush=True)

    net = CnnNiid()
    print("round  test accuracy  seconds", flush=True)
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        for rnd in range(1, args.rounds + 1):
            start = time.time()
            state = net.state_dict()
            tasks = [(state, indices, args.epochs, args.seed * 100_003 + rnd * 1_009 + s)
                     for s, indices in enumerate(sites)]
            results = pool.map(train_site, tasks, chunksize=1)
            total = sum(n for _, n in results)
            net.load_state_dict({k: sum(r[k] * (n / total) for r, n in results) for k in state})
            print(f"{rnd:<6d} {accuracy(net, test_x, test_y):<14.4f} {time.time() - start:.1f}", flush=True)


if __name__ == "__main__":
    main()
