#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""One training step of the 784-512-256-10 ReLU MLP with softmax cross-entropy (batch 256,
float32) in PyTorch eager mode: nn.Sequential of nn.Linear and nn.ReLU, F.cross_entropy,
torch.optim.SGD(lr=0.01); zero_grad(set_to_none=True), forward, backward, step."""
import torch
import torch.nn.functional as F

import _common


def main():
    args = _common.parse_args(__doc__, reps=7, inner=4, warmup=3)
    torch.set_num_threads(args.threads)
    torch.manual_seed(2024)
    s = _common.MLP_SIZES
    model = torch.nn.Sequential(torch.nn.Linear(s[0], s[1]), torch.nn.ReLU(),
                                torch.nn.Linear(s[1], s[2]), torch.nn.ReLU(),
                                torch.nn.Linear(s[2], s[3]))
    opt = torch.optim.SGD(model.parameters(), lr=_common.MLP_LR)
    x = torch.rand(_common.MLP_BATCH, s[0])
    labels = torch.randint(0, s[3], (_common.MLP_BATCH,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), labels)
        loss.backward()
        opt.step()
        return loss.item()

    samples, loss = _common.measure(step, args.reps, args.inner, args.warmup)
    _common.emit("torch", "mlp", args.threads, samples, None,
                 {"torch": torch.__version__, "torch_threads": torch.get_num_threads(),
                  "last_loss": loss})


if __name__ == "__main__":
    main()
