#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The tutorial's own NumPy program (shared/seed: "build your own neural network from scratch
in Python"), timed: the seed's NeuralNetwork class unchanged except that the initial weights
are the fixed ones every implementation uses (tutorial_weights.txt) instead of
np.random.rand. One training is 1500 x (feedforward, backprop), then one feedforward with the
trained weights, whose output is printed as the final predictions."""
import numpy as np

import _common


def sigmoid(x):
    return 1.0 / (1 + np.exp(-x))


def sigmoid_derivative(x):
    return x * (1.0 - x)


class NeuralNetwork:
    def __init__(self, x, y, weights1, weights2):
        self.input = x
        self.weights1 = weights1.copy()  # the seed: np.random.rand(self.input.shape[1], 4)
        self.weights2 = weights2.copy()  # the seed: np.random.rand(4, 1)
        self.y = y
        self.output = np.zeros(self.y.shape)

    def feedforward(self):
        self.layer1 = sigmoid(np.dot(self.input, self.weights1))
        self.output = sigmoid(np.dot(self.layer1, self.weights2))

    def backprop(self):
        # application of the chain rule to find derivative of the loss function with respect
        # to weights2 and weights1
        d_weights2 = np.dot(self.layer1.T,
                            (2 * (self.y - self.output) * sigmoid_derivative(self.output)))
        d_weights1 = np.dot(self.input.T,
                            (np.dot(2 * (self.y - self.output) * sigmoid_derivative(self.output),
                                    self.weights2.T) * sigmoid_derivative(self.layer1)))
        # update the weights with the derivative (slope) of the loss function
        self.weights1 += d_weights1
        self.weights2 += d_weights2


def main():
    args = _common.parse_args(__doc__, reps=9, inner=1, warmup=2)
    w1, w2 = (np.array(w, dtype=np.float64) for w in _common.read_weights(args.weights))
    x = np.array(_common.TUTORIAL_X, dtype=np.float64)
    y = np.array(_common.TUTORIAL_Y, dtype=np.float64)

    def train():
        nn = NeuralNetwork(x, y, w1, w2)
        for _ in range(_common.TUTORIAL_ITERATIONS):
            nn.feedforward()
            nn.backprop()
        nn.feedforward()
        return nn.output

    samples, output = _common.measure(train, args.reps, args.inner, args.warmup)
    _common.emit("numpy", "tutorial", args.threads, samples, output.ravel().tolist(),
                 {"numpy": np.__version__})


if __name__ == "__main__":
    main()
