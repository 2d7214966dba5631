#!/usr/bin/env python3
"""Writes NIID-Bench's own partition of Fashion-MNIST's training set, as Flower's reproduction of NIID-Bench draws it,
in the file format `fl simulate --partition file:PATH` reads (one line of example indices per site).

Why: the published accuracies (Flower's NIID-Bench baseline, run with seed 42) come from one particular draw, made
with NumPy's default generator. MedFL's own partitioner draws the same kind of split with Java's generators, so its
draws differ; with this file a federation trains on the very same split and only training differs.

The sequence of generator calls follows the published procedure (NumPy `default_rng(seed)`):
  iid          one permutation of all examples (choice without replacement), cut into equal consecutive parts;
  dirichlet:A  per class in label order: shuffle the class's indices, draw site shares from Dirichlet(A), zero the
               shares of sites already at N/sites examples, cut at the floor of the cumulative shares; the whole
               draw repeats until every site holds at least 10 examples;
  shards:K     site i holds label i mod 10 plus K-1 distinct labels drawn one at a time; then per class in label
               order: shuffle its indices and cut them into equal parts, one per holding site in site order.
Labels come from Debian's dataset-fashion-mnist (the same files, in the same order, as torchvision's).

Usage: niid_bench_partition.py --partition shards:2 --sites 10 --seed 42 --out /tmp/c2-seed42.txt
"""
import argparse
import gzip
import sys

import numpy as np

LABELS = "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz"
MIN_PER_SITE = 10


def read_labels(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = int.from_bytes(data[0:4], "big"), int.from_bytes(data[4:8], "big")
    if magic != 2049 or len(data) != 8 + count:
        sys.exit(f"{path} is not an idx1 label file")
    return np.frombuffer(data, dtype=np.uint8, offset=8).astype(np.int64)


def iid(labels, sites, rng):
    order = rng.choice(len(labels), len(labels), replace=False)
    return [order[part] for part in np.array_split(np.arange(len(labels)), sites)]


def dirichlet(labels, sites, alpha, rng):
    classes = int(labels.max()) + 1
    equal_share = len(labels) / sites
    while True:
        parts = [[] for _ in range(sites)]
        for label in range(classes):
            members = np.where(labels == label)[0]
            rng.shuffle(members)
            shares = rng.dirichlet(np.repeat(alpha, sites))
            shares = np.array([share * (len(part) < equal_share) for share, part in zip(shares, parts)])
            shares = shares / shares.sum()
            cuts = (np.cumsum(shares) * len(members)).astype(int)[:-1]
            for part, piece in zip(parts, np.split(members, cuts)):
                part.extend(piece.tolist())
        if min(len(part) for part in parts) >= MIN_PER_SITE:
            return [np.array(part) for part in parts]


def shards(labels, sites, per_site, rng):
    classes = int(labels.max()) + 1
    holders = [0] * classes
    held = []
    for site in range(sites):
        mine = [site % classes]
        holders[site % classes] += 1
        while len(mine) < per_site:
            label = rng.choice(classes, 1)[0]
            if label not in mine:
                mine.append(label)
                holders[label] += 1
        held.append(mine)
    parts = [[] for _ in range(sites)]
    for label in range(classes):
        members = np.where(labels == label)[0]
        rng.shuffle(members)
        if holders[label] == 0:
            continue
        pieces = np.array_split(members, holders[label])
        owners = [site for site in range(sites) if label in held[site]]
        for owner, piece in zip(owners, pieces):
            parts[owner].extend(piece.tolist())
    return [np.array(part) for part in parts], held


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partition", required=True, help="iid, dirichlet:ALPHA or shards:K")
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--labels", default=LABELS, help="idx1 label file (default: Debian's Fashion-MNIST)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    labels = read_labels(args.labels)
    rng = np.random.default_rng(args.seed)
    held = None
    if args.partition == "iid":
        parts = iid(labels, args.sites, rng)
    elif args.partition.startswith("dirichlet:"):
        parts = dirichlet(labels, args.sites, float(args.partition.split(":", 1)[1]), rng)
    elif args.partition.startswith("shards:"):
        parts, held = shards(labels, args.sites, int(args.partition.split(":", 1)[1]), rng)
    else:
        sys.exit("--partition must be iid, dirichlet:ALPHA or shards:K")

    with open(args.out, "w") as out:
        out.write(f"# NIID-Bench's {args.partition} draw of {len(labels)} Fashion-MNIST training images, "
                  f"{args.sites} sites, NumPy default_rng({args.seed}); one line of indices per site\n")
        for part in parts:
            out.write(" ".join(str(i) for i in sorted(part.tolist())) + "\n")
    for site, part in enumerate(parts):
        counts = np.bincount(labels[part], minlength=int(labels.max()) + 1)
        labels_held = f" labels {sorted(int(x) for x in held[site])}" if held else ""
        print(f"site {site + 1}: {len(part)} examples{labels_held}, per label {counts.tolist()}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
