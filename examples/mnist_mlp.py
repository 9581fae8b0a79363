"""Images, the quick-start way: an MLP on FashionMNIST with hand-written train and test loops.

datasets.FashionMNIST + ToTensor -> DataLoader(batch_size=64) -> Flatten and a Linear/ReLU stack
-> CrossEntropyLoss and SGD -> train_loop / test_loop printing the loss every 100 batches and
the test accuracy after each epoch.

Reads the FashionMNIST IDX files from data/FashionMNIST/raw (`--data` names another folder
than ./data) when they are there. Otherwise it falls back to scikit-learn's bundled digits,
written as MNIST files (28x28, ten classes) into the output folder and read with
datasets.MNIST: the same code path.

    python examples/mnist_mlp.py [--fast] [--out FOLDER] [--data FOLDER]
"""

import os

import _example_options
import ferrograd as torch
from _basics_digits import write_mnist_format
from ferrograd.utils.data import DataLoader, Subset
from ferrograd.vision import datasets
from ferrograd.vision.transforms import ToTensor

nn = torch.nn

args = _example_options.parse_options(__doc__.splitlines()[0])
torch.manual_seed(0)

# ---------------------------------------------------------------- data

if os.path.isdir(args.data / "FashionMNIST" / "raw"):
    Dataset, root = datasets.FashionMNIST, args.data
    # The tutorial's figures: 938 batches an epoch, so a small learning rate does.
    learning_rate, epochs, log_every = 1e-3, 10, 100
else:
    print(f"no {args.data / 'FashionMNIST' / 'raw'}: using digits written as MNIST files")
    Dataset, root = datasets.MNIST, write_mnist_format(args.out / "data")
    # 1438 training images make 23 batches an epoch: a larger step and more epochs make up
    # for the forty times fewer steps.
    learning_rate, epochs, log_every = 5e-2, 30, 10

training_data = Dataset(root=root, train=True, transform=ToTensor())
test_data = Dataset(root=root, train=False, transform=ToTensor())
print(training_data)
classes = training_data.classes
if args.fast:  # a few seconds: a slice of the data, a few epochs of larger steps
    training_data = Subset(training_data, range(min(len(training_data), 2000)))
    test_data = Subset(test_data, range(min(len(test_data), 500)))
    learning_rate, epochs, log_every = 5e-2, 3, 10

batch_size = 64
train_dataloader = DataLoader(training_data, batch_size=batch_size, shuffle=True)
test_dataloader = DataLoader(test_data, batch_size=batch_size)

X, y = next(iter(test_dataloader))
print(f"Shape of X [N, C, H, W]: {X.shape}")
print(f"Shape of y: {y.shape} {y.dtype}")

# ---------------------------------------------------------------- model


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork()
print(model)

# ---------------------------------------------------------------- train and test loops


def train_loop(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        # Compute prediction and loss
        pred = model(X)
        loss = loss_fn(pred, y)
        # Backpropagation
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if batch % log_every == 0:
            loss, current = loss.item(), batch * len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test_loop(dataloader, model, loss_fn):
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0
    model.eval()
    with torch.no_grad():  # no graph is needed to evaluate
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100 * correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
    return correct


loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)

for t in range(epochs):
    print(f"Epoch {t + 1}\n-------------------------------")
    train_loop(train_dataloader, model, loss_fn, optimizer)
    accuracy = test_loop(test_dataloader, model, loss_fn)
print("Done!")

# ---------------------------------------------------------------- save, reload, predict

torch.save(model.state_dict(), args.out / "mnist_mlp.pt")
model = NeuralNetwork()
model.load_state_dict(torch.load(args.out / "mnist_mlp.pt"))
model.eval()
x, y = test_data[0]
with torch.no_grad():
    predicted = classes[model(x.unsqueeze(0))[0].argmax(0)]
print(f'Predicted: "{predicted}", Actual: "{classes[y]}"')
print(f"test_accuracy={accuracy:.4f}")
