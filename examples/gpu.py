"""The image example's CNN trained on the GPU when a wgpu adapter exists, on the CPU otherwise:
the tutorials' `device = "cuda" if torch.cuda.is_available() else "cpu"`, spelled for wgpu,
with the model moved by `.to(device)` and every batch moved as it comes from the loader.

    python examples/gpu.py [--fast] [--out FOLDER]

With `torch` for `ferrograd`, `"cuda"` for `"wgpu"` and `torch.cuda` for `ferrograd.wgpu`,
the same lines run under PyTorch.
"""

from __future__ import annotations

import time
import warnings

import ferrograd as torch
from _example_options import parse_options
from _workflow_data import write_digit_folders
from ferrograd.utils.data import DataLoader
from ferrograd.vision import datasets, transforms
from images_cnn import Net

# Ops without a GPU kernel yet run on the CPU and say so once each; the list is in the README.
warnings.filterwarnings("ignore", message=".*no wgpu kernel yet")


def pick_device() -> torch.device:
    if torch.wgpu.is_available():
        device = torch.device("wgpu:0")
        print(f"training on {device} ({torch.wgpu.get_device_name()})")
    else:
        device = torch.device("cpu")
        print("training on cpu (no wgpu GPU adapter found)")
    return device


def loaders(root):
    to_tensor = transforms.ToTensor()
    train = datasets.ImageFolder(str(root / "train"), transform=to_tensor)
    valid = datasets.ImageFolder(str(root / "test"), transform=to_tensor)
    return DataLoader(train, batch_size=50, shuffle=True), DataLoader(valid, batch_size=50)


def accuracy(net, loader, device) -> float:
    net.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            predicted = net(x.to(device)).argmax(dim=1)
            correct += (predicted == y.to(device)).sum().item()
            total += len(y)
    return correct / total


def main() -> None:
    args = parse_options(__doc__.splitlines()[0])
    start = time.perf_counter()
    device = pick_device()
    torch.manual_seed(0)
    root = write_digit_folders(args.out / "digits_png", limit=1000 if args.fast else None)
    dl_train, dl_valid = loaders(root)
    net = Net().to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.002)
    loss_fn = torch.nn.CrossEntropyLoss()
    for epoch in range(3 if args.fast else 15):
        net.train()
        total = 0.0
        for x, y in dl_train:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item()
        print(f"epoch {epoch + 1}: loss {total / len(dl_train):.4f}")
    print(f"parameters on {next(net.parameters()).device}")
    print(f"run_time_s={time.perf_counter() - start:.1f}")
    print(f"test_accuracy={accuracy(net, dl_valid, device):.4f}")


if __name__ == "__main__":
    main()
