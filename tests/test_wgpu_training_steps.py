"""Training steps of the tutorials' kinds of model run on the GPU with no op on the CPU:
forward, loss, backward, gradient clipping and the optimizer's step, each checked by the
fallback count."""

from __future__ import annotations

import ferrograd as torch
import pytest
from device_support import on_gpu_only, require_gpu


@pytest.fixture(scope="module")
def gpu():
    return require_gpu()


class EmbeddingLSTM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(50, 8)
        self.lstm = torch.nn.LSTM(8, 16, batch_first=True)
        self.out = torch.nn.Linear(16, 3)

    def forward(self, x):
        h, _ = self.lstm(self.embed(x))
        return self.out(h[:, -1])


class TextConv(torch.nn.Module):
    """The IMDB tutorial's model, smaller: an embedding with a padding index, then 1-D
    convolutions and poolings."""

    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.embed = nn.Embedding(100, 3, padding_idx=1)
        self.conv = nn.Sequential(
            nn.Conv1d(3, 16, 5),
            nn.MaxPool1d(2),
            nn.ReLU(),
            nn.Conv1d(16, 8, 2),
            nn.MaxPool1d(2),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(32, 1),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.conv(self.embed(x).transpose(1, 2))


class CausalAttention(torch.nn.Module):
    """One head of a decoder's self-attention with a causal mask (`triu`), as in the
    transformer tutorials, then a classifier on the last position."""

    def __init__(self):
        super().__init__()
        self.qkv = torch.nn.Linear(8, 24)
        self.out = torch.nn.Linear(8, 3)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        steps = x.shape[1]
        future = torch.triu(torch.ones(steps, steps, device=x.device), diagonal=1).bool()
        scores = (q @ k.transpose(1, 2) / 8**0.5).masked_fill(future, float("-inf"))
        return self.out((scores.softmax(-1) @ v)[:, -1])


def training_cases():
    nn = torch.nn
    image, labels = torch.randn(8, 1, 12, 12), torch.randint(0, 10, (8,))
    cross_entropy = torch.nn.functional.cross_entropy
    binary = torch.randint(0, 2, (8, 1)).float()
    return {
        "MLP, Adam": (
            nn.Sequential(nn.Flatten(), nn.Linear(144, 32), nn.ReLU(), nn.Linear(32, 10)),
            torch.optim.Adam,
            image,
            labels,
            cross_entropy,
        ),
        "CNN, SGD with momentum": (
            nn.Sequential(
                nn.Conv2d(1, 4, 3),
                nn.BatchNorm2d(4),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Dropout(0.25),
                nn.Flatten(),
                nn.Linear(100, 10),
            ),
            lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9),
            image,
            labels,
            cross_entropy,
        ),
        "embedding + LSTM, Adam": (
            EmbeddingLSTM(),
            torch.optim.Adam,
            torch.randint(0, 50, (4, 7)),
            torch.randint(0, 3, (4,)),
            cross_entropy,
        ),
        "layer norm + GELU, AdamW": (
            nn.Sequential(nn.Linear(20, 32), nn.LayerNorm(32), nn.GELU(), nn.Linear(32, 5)),
            torch.optim.AdamW,
            torch.randn(8, 20),
            torch.randint(0, 5, (8,)),
            cross_entropy,
        ),
        "Titanic MLP, BCELoss": (
            nn.Sequential(nn.Linear(15, 20), nn.ReLU(), nn.Linear(20, 1), nn.Sigmoid()),
            torch.optim.Adam,
            torch.randn(8, 15),
            binary,
            nn.BCELoss(),
        ),
        "IMDB convolutions, padding index, Adagrad": (
            TextConv(),
            torch.optim.Adagrad,
            torch.randint(0, 100, (8, 24)),
            binary,
            nn.BCELoss(),
        ),
        "upsampling decoder, group norm, SGD": (
            nn.Sequential(
                nn.Conv2d(1, 4, 3, padding=1),
                nn.GroupNorm(2, 4),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Upsample(scale_factor=2, mode="bilinear"),
                nn.Conv2d(4, 1, 3, padding=1),
                nn.Flatten(),
                nn.Linear(144, 10),
            ),
            torch.optim.SGD,
            image,
            labels,
            cross_entropy,
        ),
        "causal self-attention, Adam": (
            CausalAttention(),
            torch.optim.Adam,
            torch.randn(4, 6, 8),
            torch.randint(0, 3, (4,)),
            cross_entropy,
        ),
        "label smoothing, RMSprop, gradient clipping": (
            nn.Sequential(nn.Linear(4, 5)),
            torch.optim.RMSprop,
            torch.randn(8, 4),
            torch.randint(0, 5, (8,)),
            nn.CrossEntropyLoss(label_smoothing=0.1),
        ),
    }


@pytest.mark.parametrize("name", list(training_cases()))
def test_training_steps_run_with_no_op_on_the_cpu(gpu, name):
    torch.manual_seed(0)
    model, optimizer, x, y, loss_fn = training_cases()[name]
    model = model.to(gpu)
    opt = optimizer(model.parameters(), lr=1e-2)
    x, y = x.to(gpu), y.to(gpu)

    def step():
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        return loss

    first = step()
    on_gpu_only(step)  # (the first step made the optimizer's state)
    assert step().item() < first.item()
