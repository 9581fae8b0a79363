"""ferrograd.train.summary: the torchkeras layer table.

Expected tables: the layout and the MB arithmetic are torchkeras's (4 bytes a number; the
forward/backward size is twice the layer outputs of one sample). Per-layer output shapes and
parameter counts were recorded from PyTorch with forward hooks on the same models, and are
derived by hand in the comments.
"""

from __future__ import annotations

import ferrograd as torch
import pytest
from ferrograd import nn
from ferrograd.train import Model, summary, summary_string

RULE = "-" * 74
DOUBLE = "=" * 74
HEADER = "Layer (type)                            Output Shape              Param #"


class TutorialCNN(nn.Module):
    """The image tutorial's network (two CIFAR-10 classes, 3x32x32 inputs)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels=3, out_channels=32, kernel_size=3)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.conv2 = nn.Conv2d(in_channels=32, out_channels=64, kernel_size=5)
        self.dropout = nn.Dropout2d(p=0.1)
        self.adaptive_pool = nn.AdaptiveMaxPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.linear1 = nn.Linear(64, 32)
        self.relu = nn.ReLU()
        self.linear2 = nn.Linear(32, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        x = self.pool(self.conv1(x))
        x = self.pool(self.conv2(x))  # the same pooling layer twice: two rows
        x = self.adaptive_pool(self.dropout(x))
        x = self.relu(self.linear1(self.flatten(x)))
        return self.sigmoid(self.linear2(x))


def test_cnn_table(capsys):
    # Param counts: conv1 32*3*3*3 + 32 = 896; conv2 64*32*5*5 + 64 = 51,264;
    # linear1 64*32 + 32 = 2,080; linear2 32 + 1 = 33; total 54,273 (PyTorch: the same).
    # Shapes: 32 -3+1-> 30 -pool-> 15 -5+1-> 11 -pool-> 5 -adaptive-> 1.
    # Outputs of one sample: 28800 + 7200 + 7744 + 1600 + 1600 + 64 + 64 + 32 + 32 + 1 + 1
    # = 47,138 numbers; x2 x4 bytes / 2^20 = 0.359634 MB. Input 3*32*32*4 / 2^20 = 0.011719.
    # Params 54,273 * 4 / 2^20 = 0.207035. Total 0.578388.
    Model(TutorialCNN()).summary(input_shape=(3, 32, 32))
    assert capsys.readouterr().out.split("\n") == [
        RULE,
        HEADER,
        DOUBLE,
        "Conv2d-1                            [-1, 32, 30, 30]                  896",
        "MaxPool2d-2                         [-1, 32, 15, 15]                    0",
        "Conv2d-3                            [-1, 64, 11, 11]               51,264",
        "MaxPool2d-4                           [-1, 64, 5, 5]                    0",
        "Dropout2d-5                           [-1, 64, 5, 5]                    0",
        "AdaptiveMaxPool2d-6                   [-1, 64, 1, 1]                    0",
        "Flatten-7                                   [-1, 64]                    0",
        "Linear-8                                    [-1, 32]                2,080",
        "ReLU-9                                      [-1, 32]                    0",
        "Linear-10                                    [-1, 1]                   33",
        "Sigmoid-11                                   [-1, 1]                    0",
        DOUBLE,
        "Total params: 54,273",
        "Trainable params: 54,273",
        "Non-trainable params: 0",
        RULE,
        "Input size (MB): 0.011719",
        "Forward/backward pass size (MB): 0.359634",
        "Params size (MB): 0.207035",
        "Estimated Total Size (MB): 0.578388",
        RULE,
        "",
    ]


def test_mlp_table_matches_the_tutorial_numbers():
    # The Titanic MLP 15-20-15-1: 15*20+20 = 320, 20*15+15 = 315, 15+1 = 16; total 651.
    # Outputs 20+20+15+15+1+1 = 72 numbers: 2*72*4 / 2^20 = 0.000549 MB; input 15*4 / 2^20.
    net = nn.Sequential()
    net.add_module("linear1", nn.Linear(15, 20))
    net.add_module("relu1", nn.ReLU())
    net.add_module("linear2", nn.Linear(20, 15))
    net.add_module("relu2", nn.ReLU())
    net.add_module("linear3", nn.Linear(15, 1))
    net.add_module("sigmoid", nn.Sigmoid())
    lines = summary_string(net, input_shape=(15,)).split("\n")
    assert lines[3:9] == [
        "Linear-1                                    [-1, 20]                  320",
        "ReLU-2                                      [-1, 20]                    0",
        "Linear-3                                    [-1, 15]                  315",
        "ReLU-4                                      [-1, 15]                    0",
        "Linear-5                                     [-1, 1]                   16",
        "Sigmoid-6                                    [-1, 1]                    0",
    ]
    assert lines[10:12] == ["Total params: 651", "Trainable params: 651"]
    assert lines[14:18] == [
        "Input size (MB): 0.000057",
        "Forward/backward pass size (MB): 0.000549",
        "Params size (MB): 0.002483",
        "Estimated Total Size (MB): 0.003090",
    ]


def test_frozen_layer_batch_norm_and_a_positive_batch_size():
    # conv 4*1*3*3 + 4 = 40 (frozen), batch norm 4 + 4 = 8 (running stats are buffers),
    # linear 144*3 + 3 = 435: total 483, trainable 443, non-trainable 40 (as in PyTorch).
    net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten())
    net.append(nn.Linear(4 * 6 * 6, 3))
    net[0].requires_grad_(False)
    text = summary_string(net, input_shape=[1, 8, 8], batch_size=16)
    lines = text.split("\n")
    assert lines[3:8] == [
        "Conv2d-1                               [16, 4, 6, 6]                   40",
        "BatchNorm2d-2                          [16, 4, 6, 6]                    8",
        "ReLU-3                                 [16, 4, 6, 6]                    0",
        "Flatten-4                                  [16, 144]                    0",
        "Linear-5                                     [16, 3]                  435",
    ]
    assert lines[9:12] == [
        "Total params: 483",
        "Trainable params: 443",
        "Non-trainable params: 40",
    ]
    # 16 samples of 64 inputs; outputs 16 * (144*4 + 3) numbers, twice.
    assert lines[13] == f"Input size (MB): {16 * 64 * 4 / 2**20:0.6f}"
    assert lines[14] == f"Forward/backward pass size (MB): {2 * 16 * 579 * 4 / 2**20:0.6f}"
    # The dummy batch ran in evaluation mode: no running statistics moved, mode restored.
    assert torch.equal(net[1].running_mean, torch.zeros(4))
    assert int(net[1].num_batches_tracked) == 0 and net.training


def test_shared_layer_counts_its_parameters_once():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(4, 4)

        def forward(self, x):
            return self.linear(self.linear(x))

    lines = summary_string(Twice(), input_shape=(4,)).split("\n")
    assert lines[3:5] == [
        "Linear-1                                     [-1, 4]                   20",
        "Linear-2                                     [-1, 4]                    0",
    ]
    assert lines[6] == "Total params: 20"


def test_text_model_with_integer_inputs_and_containers():
    # The text tutorial's model, subclassing Model, with token indices as input (LongTensor).
    # Embedding 10000*3 = 30,000; conv 16*3*5 + 16 = 256; conv 128*16*2 + 128 = 4,224;
    # lengths 200 -5+1-> 196 -pool-> 98 -2+1-> 97 -pool-> 48; linear 128*48 + 1 = 6,145.
    class Net(Model):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(num_embeddings=10000, embedding_dim=3, padding_idx=1)
            self.conv = nn.Sequential()
            self.conv.add_module("conv_1", nn.Conv1d(3, 16, kernel_size=5))
            self.conv.add_module("pool_1", nn.MaxPool1d(kernel_size=2))
            self.conv.add_module("relu_1", nn.ReLU())
            self.conv.add_module("conv_2", nn.Conv1d(16, 128, kernel_size=2))
            self.conv.add_module("pool_2", nn.MaxPool1d(kernel_size=2))
            self.conv.add_module("relu_2", nn.ReLU())
            self.dense = nn.Sequential(nn.Flatten(), nn.Linear(6144, 1), nn.Sigmoid())

        def forward(self, x):
            return self.dense(self.conv(self.embedding(x).transpose(1, 2)))

    for dtype in (torch.LongTensor, torch.int64):
        lines = summary_string(Net(), input_shape=(200,), input_dtype=dtype).split("\n")
        names = [line.split()[0] for line in lines[3:13]]
        assert names == [
            "Embedding-1",
            "Conv1d-2",
            "MaxPool1d-3",
            "ReLU-4",
            "Conv1d-5",
            "MaxPool1d-6",
            "ReLU-7",
            "Flatten-8",
            "Linear-9",
            "Sigmoid-10",
        ]
        assert lines[3].split()[1:] == ["[-1,", "200,", "3]", "30,000"]
        assert lines[7].split()[1:] == ["[-1,", "128,", "97]", "4,224"]
        assert lines[14] == "Total params: 40,625"


def test_lstm_and_a_two_argument_block_with_input_data():
    # The time-series tutorial: LSTM(3, 3, 5 layers) has 5 * 4*3*(3+3+2) = 480 parameters;
    # a row shows the first tensor of an LSTM's (output, (h, c)).
    class Block(nn.Module):
        def forward(self, x, x_input):
            return torch.max((1 + x) * x_input[:, -1, :], torch.tensor(0.0))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(input_size=3, hidden_size=3, num_layers=5, batch_first=True)
            self.linear = nn.Linear(3, 3)
            self.block = Block()

        def forward(self, x_input):
            x = self.lstm(x_input)[0][:, -1, :]
            return self.block(self.linear(x), x_input)

    lines = summary_string(Net(), input_data=torch.rand(38, 8, 3)).split("\n")
    assert lines[3:6] == [
        "LSTM-1                                    [-1, 8, 3]                  480",
        "Linear-2                                     [-1, 3]                   12",
        "Block-3                                      [-1, 3]                    0",
    ]
    assert lines[11] == f"Input size (MB): {38 * 8 * 3 * 4 / 2**20:0.6f}"


def test_missing_shape_is_an_error():
    with pytest.raises(TypeError, match="needs input_shape"):
        summary(nn.Linear(2, 2))
