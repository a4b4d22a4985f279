#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""One training step of the 784-512-256-10 ReLU MLP with softmax cross-entropy (batch 256,
float32, SGD lr 0.01) in NumPy, written the way NumPy code is: forward, the hand-derived
backward (the same GEMMs as every other implementation: x W^T forward, dy^T x and dy W
backward, no input gradient for the first layer) and the update, new arrays each step."""
import numpy as np

import _common


def main():
    args = _common.parse_args(__doc__, reps=7, inner=4, warmup=3)
    rng = np.random.default_rng(2024)
    sizes = _common.MLP_SIZES
    batch = _common.MLP_BATCH
    lr = np.float32(_common.MLP_LR)
    ws, bs = [], []
    for i in range(3):
        k = 1.0 / np.sqrt(sizes[i])
        ws.append(rng.uniform(-k, k, (sizes[i + 1], sizes[i])).astype(np.float32))
        bs.append(rng.uniform(-k, k, sizes[i + 1]).astype(np.float32))
    x = rng.random((batch, sizes[0]), dtype=np.float32)
    labels = rng.integers(0, sizes[3], batch)
    rows = np.arange(batch)

    def step():
        # forward
        acts = [x]
        h = x
        for i in range(3):
            h = h @ ws[i].T + bs[i]
            if i < 2:
                h = np.maximum(h, 0)
            acts.append(h)
        z = acts[3]
        m = z.max(axis=1, keepdims=True)
        e = np.exp(z - m)
        s = e.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(s[:, 0]) + m[:, 0] - z[rows, labels]))
        # backward: (softmax - onehot) / batch
        dy = e / s
        dy[rows, labels] -= 1
        dy /= np.float32(batch)
        for i in (2, 1, 0):
            dw = dy.T @ acts[i]
            db = dy.sum(axis=0)
            if i > 0:
                dy = (dy @ ws[i]) * (acts[i] > 0)
            ws[i] -= lr * dw
            bs[i] -= lr * db
        return loss

    samples, loss = _common.measure(step, args.reps, args.inner, args.warmup)
    _common.emit("numpy", "mlp", args.threads, samples, None,
                 {"numpy": np.__version__, "last_loss": loss,
                  "dtype": str(ws[0].dtype)})


if __name__ == "__main__":
    main()
