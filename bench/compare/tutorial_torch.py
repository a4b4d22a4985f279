#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The tutorial's network in PyTorch eager mode, gradients from autograd: float64, sum of
squared errors, 1500 steps of w -= lr * grad from the fixed initial weights, then one forward
pass with the trained weights, whose output is printed as the final predictions."""
import torch

import _common


def main():
    args = _common.parse_args(__doc__, reps=5, inner=1, warmup=1)
    torch.set_num_threads(args.threads)
    w1_init, w2_init = (torch.tensor(w, dtype=torch.float64)
                        for w in _common.read_weights(args.weights))
    x = torch.tensor(_common.TUTORIAL_X, dtype=torch.float64)
    y = torch.tensor(_common.TUTORIAL_Y, dtype=torch.float64)
    lr = _common.TUTORIAL_LR

    def train():
        w1 = w1_init.clone().requires_grad_(True)
        w2 = w2_init.clone().requires_grad_(True)
        for _ in range(_common.TUTORIAL_ITERATIONS):
            output = torch.sigmoid(torch.sigmoid(x @ w1) @ w2)
            loss = ((output - y) ** 2).sum()
            loss.backward()
            with torch.no_grad():
                w1 -= lr * w1.grad
                w2 -= lr * w2.grad
            w1.grad = None
            w2.grad = None
        with torch.no_grad():
            return torch.sigmoid(torch.sigmoid(x @ w1) @ w2)

    samples, output = _common.measure(train, args.reps, args.inner, args.warmup)
    _common.emit("torch", "tutorial", args.threads, samples, output.ravel().tolist(),
                 {"torch": torch.__version__, "torch_threads": torch.get_num_threads()})


if __name__ == "__main__":
    main()
