"""A LeNet-style convolutional network on CIFAR-10, with the tutorial's hand-written loops.

transforms.Compose([ToTensor(), Normalize]) -> datasets.CIFAR10 -> DataLoader(batch_size=4,
shuffle, num_workers=2) -> a look at a batch (make_grid) -> Conv2d/MaxPool2d/Linear network
-> CrossEntropyLoss and SGD(momentum=0.9) -> a training loop printing the running loss every
2000 mini-batches -> the accuracy on the test images under no_grad, overall and per class.

Reads the CIFAR-10 batches from data/cifar-10-batches-py (`--data` names another folder than
./data) when they are there. Otherwise it falls back to scikit-learn's bundled digits, drawn
as 32x32 colour images on random backgrounds and written as CIFAR-10 batches into the output
folder: the same code path, ten classes.

    python examples/cifar_lenet.py [--fast] [--out FOLDER] [--data FOLDER]
"""

import os
from types import SimpleNamespace

import _example_options
import ferrograd as torch
import ferrograd.vision as torchvision
from _basics_digits import write_cifar_format
from ferrograd.utils.data import DataLoader, Subset
from ferrograd.vision import transforms

nn = torch.nn
F = torch.nn.functional
optim = torch.optim

# DataLoader workers are fresh processes (ferrograd never forks a process whose compute threads
# run), and a fresh process imports this file again before it can load batches: so the work
# is done in main(), run only when the file is the program, as PyTorch asks on the platforms
# where its workers start the same way. (PyTorch's Linux workers are forked, which is why
# the tutorial can leave the guard out.)


def training_plan(args):
    """Where the data is, and how long and how fast to train on it."""
    if os.path.isdir(args.data / "cifar-10-batches-py"):
        # The tutorial's figures: 12500 mini-batches an epoch.
        plan = SimpleNamespace(root=args.data, epochs=2, lr=0.001, log_every=2000)
    else:
        print(f"no {args.data / 'cifar-10-batches-py'}: using digits drawn as CIFAR-10 images")
        # 4314 training images (each digit drawn three times), 1079 mini-batches an epoch:
        # about twelve times fewer steps than CIFAR-10 gives, so larger ones and more epochs.
        root = write_cifar_format(args.out / "data")
        plan = SimpleNamespace(root=root, epochs=5, lr=0.003, log_every=250)
    if args.fast:  # one epoch over 2400 images (600 steps): larger steps still
        plan.epochs, plan.lr, plan.log_every = 1, 0.01, 150
    return plan


def load_data(root, fast):
    """(trainloader, testloader, classes); fast: 2400 training and 400 test images."""
    transform = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]
    )
    trainset = torchvision.datasets.CIFAR10(
        root=root, train=True, download=False, transform=transform
    )
    testset = torchvision.datasets.CIFAR10(
        root=root, train=False, download=False, transform=transform
    )
    classes = tuple(trainset.classes)
    # Two worker processes prepare batches while the network trains, as in the tutorial;
    # starting them costs a second, which the fast mode does not spend.
    num_workers = 0 if fast else 2
    if fast:
        trainset = Subset(trainset, range(2400))
        testset = Subset(testset, range(min(len(testset), 400)))
    trainloader = DataLoader(trainset, batch_size=4, shuffle=True, num_workers=num_workers)
    testloader = DataLoader(testset, batch_size=4, shuffle=False, num_workers=num_workers)
    return trainloader, testloader, classes


def show_batch(trainloader, classes, path):
    """The tutorial's look at a batch: a grid of the images (un-normalised back to [0, 1])."""
    images, labels = next(iter(trainloader))
    torchvision.utils.save_image(torchvision.utils.make_grid(images / 2 + 0.5), path)
    print(" ".join(f"{classes[labels[j]]:>5s}" for j in range(4)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))  # 3x32x32 -> 6x28x28 -> 6x14x14
        x = self.pool(F.relu(self.conv2(x)))  # -> 16x10x10 -> 16x5x5
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


def train(net, trainloader, plan):
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=plan.lr, momentum=0.9)
    for epoch in range(plan.epochs):  # loop over the dataset several times
        running_loss = 0.0
        for i, data in enumerate(trainloader, 0):
            # get the inputs; data is a list of [inputs, labels]
            inputs, labels = data
            # zero the parameter gradients
            optimizer.zero_grad()
            # forward + backward + optimize
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            # print statistics
            running_loss += loss.item()
            if i % plan.log_every == plan.log_every - 1:
                print(f"[{epoch + 1}, {i + 1:5d}] loss: {running_loss / plan.log_every:.3f}")
                running_loss = 0.0
    print("Finished Training")


def test(net, testloader, classes):
    """Prints the accuracy over the test images, overall and per class; returns it."""
    correct = 0
    total = 0
    correct_pred = {classname: 0 for classname in classes}
    total_pred = {classname: 0 for classname in classes}
    with torch.no_grad():  # no gradients are needed to test
        for data in testloader:
            images, labels = data
            outputs = net(images)
            # the class with the highest score is the prediction
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
            for label, prediction in zip(labels, predicted):
                total_pred[classes[label]] += 1
                correct_pred[classes[label]] += int(label == prediction)
    print(f"Accuracy of the network on the {total} test images: {100 * correct // total} %")
    for name, count in correct_pred.items():
        if total_pred[name]:
            print(f"Accuracy for class: {name:5s} is {100 * count / total_pred[name]:.1f} %")
    return correct / total


def main():
    args = _example_options.parse_options(__doc__.splitlines()[0])
    torch.manual_seed(0)
    plan = training_plan(args)
    trainloader, testloader, classes = load_data(plan.root, args.fast)
    show_batch(trainloader, classes, args.out / "cifar_batch.png")
    net = Net()
    print(net)
    train(net, trainloader, plan)
    torch.save(net.state_dict(), args.out / "cifar_net.pt")
    accuracy = test(net, testloader, classes)
    print(f"test_accuracy={accuracy:.4f}")


if __name__ == "__main__":
    main()
