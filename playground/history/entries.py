"""The History gallery's entries, oldest first: year, authors, the idea in a paragraph, and what
running it shows. The page pairs each with its experiment in this package."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HistoryEntry:
    key: str
    year: str
    title: str
    authors: str
    paragraph: str
    shows: str


HISTORY = [
    HistoryEntry(
        "perceptron",
        "1958",
        "The perceptron",
        "Frank Rosenblatt",
        "A single neuron with a step activation and a learning rule that changes the weights only when it makes a "
        "mistake. Rosenblatt proved it finds a separating line whenever one exists. Minsky and Papert (1969) "
        "stressed what it cannot do: no single line separates XOR, which stalled neural network research for a "
        "decade.",
        "It learns AND and OR within a few epochs and never stops making mistakes on XOR.",
    ),
    HistoryEntry(
        "cognitron",
        "1975",
        "The cognitron: self-organisation",
        "Kunihiko Fukushima",
        "A layered network that organises itself without a teacher. The synapse from x to y is reinforced when x "
        "fires, provided no neuron near y fires more strongly than y: neighbours compete, and the winners grow "
        "towards what they saw. The cognitron led to the neocognitron (1980), the ancestor of convolutional "
        "networks.",
        "Units on a 4x4 grid see 1,797 digit images without labels; their receptive fields sharpen into digit shapes.",
    ),
    HistoryEntry(
        "boltzmann",
        "1985",
        "The Boltzmann machine",
        "Geoffrey Hinton & Terrence Sejnowski",
        "Stochastic binary units with symmetric connections and an energy for every state. Each unit switches on "
        "with a probability that depends on its input and a temperature; cooling slowly (simulated annealing) lets "
        "the network settle into deep energy minima. Stored patterns are such minima, so part of a pattern recalls "
        "the rest.",
        "Three 6x6 pictures are stored; the top half of one is clamped and the network completes the bottom while "
        "its energy falls.",
    ),
    HistoryEntry(
        "backprop",
        "1986",
        "Learning representations by back-propagating errors",
        "David Rumelhart, Geoffrey Hinton & Ronald Williams",
        "Gradient descent through hidden layers of sigmoid units, the error signal passed backwards by the chain "
        "rule. Hidden units learn their own features, so a network can solve problems a perceptron cannot and "
        "invent internal codes, as in the 8-3-8 encoder that squeezes eight patterns through three units.",
        "A 2-2-1 network learns XOR; an 8-3-8 network finds a near-binary 3-bit code for its eight inputs.",
    ),
    HistoryEntry(
        "lenet5",
        "1998",
        "LeNet-5: gradient-based learning for document recognition",
        "Yann LeCun, Léon Bottou, Yoshua Bengio & Patrick Haffner",
        "Convolutions with shared weights find the same local feature anywhere in the image, subsampling makes it "
        "robust to small shifts, and the whole stack is trained end to end by backpropagation. LeNet-5 read "
        "millions of cheques in the US in the late 1990s.",
        "6@5x5 conv, subsampling, 16@5x5 conv, subsampling, 120, 84, 10 trained on 2,500 MNIST digits; more than 90 "
        "% of the other 2,500 right.",
    ),
    HistoryEntry(
        "dbn",
        "2006",
        "Deep belief nets",
        "Geoffrey Hinton, Simon Osindero & Yee-Whye Teh",
        "Deep networks were hard to train from random weights. Hinton's group trained them one layer at a time as "
        "restricted Boltzmann machines, with contrastive divergence and no labels, then fine-tuned the whole stack. "
        "This greedy pre-training restarted interest in deep learning.",
        "Two RBMs (64-100, 100-50) learn from digit images, then initialise a classifier that starts far ahead of "
        "random weights.",
    ),
]
