"""The tutorials' text workflow: reviews -> tokens -> a vocabulary (<unk>=0, <pad>=1) ->
fixed-length index tensors -> Embedding(padding_idx=1) + Conv1d classifier, trained with the
Keras-like `ferrograd.train.Model` (subclassed, as the tutorial subclasses torchkeras.Model).

With the tutorial's IMDB files (`data/imdb/train.tsv` and `test.tsv`, one `label<TAB>text`
line a review) it runs on them; otherwise on a generated corpus whose sentiment is learnable:
positive and negative words among neutral filler, negations ("not good") flipping them.

    python examples/text_sentiment.py [--fast] [--out FOLDER] [--data FOLDER]
"""

from __future__ import annotations

import time

import ferrograd as torch
from _example_options import parse_options
from _workflow_data import sentiment_corpus
from ferrograd.text import build_vocab, encode, tokenize
from ferrograd.train import AUROC, Model, plot_metric
from ferrograd.utils.data import DataLoader, TensorDataset

nn = torch.nn

MAX_WORDS = 10000  # the vocabulary: <unk>, <pad> and the 9998 most frequent words
MAX_LEN = 200  # every review is cut or padded to 200 tokens
BATCH_SIZE = 20


def read_reviews(args):
    """(train, test) lists of (label, text): the IMDB TSV files if present, else generated."""
    folder = args.data / "imdb"
    if (folder / "train.tsv").exists() and (folder / "test.tsv").exists():
        print(f"reading {folder}/train.tsv and test.tsv")
        return [_read_tsv(folder / name) for name in ("train.tsv", "test.tsv")]
    n_train, n_test = (2000, 400) if args.fast else (10000, 2000)
    print(f"no IMDB files under {folder}: generating {n_train} + {n_test} reviews")
    corpus = sentiment_corpus(n_train + n_test, seed=0)
    return corpus[:n_train], corpus[n_train:]


def _read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            label, _, text = line.rstrip("\n").partition("\t")
            rows.append((int(label), text))
    return rows


def make_dataset(reviews, vocab):
    """Token ids [N, MAX_LEN] and float labels [N, 1] (BCELoss wants floats of the output's
    shape). Like the tutorial, the *last* MAX_LEN words are kept and padding goes in front."""
    ids = [
        encode(tokenize(text), vocab, fix_length=MAX_LEN, pad_first=True, truncate_first=True)
        for _, text in reviews
    ]
    labels = [[float(label)] for label, _ in reviews]
    return TensorDataset(torch.tensor(ids), torch.tensor(labels))


class Net(Model):
    """The tutorial's classifier: a 3-d embedding, two Conv1d/MaxPool1d/ReLU stages, a
    linear layer over the flattened 128 x 48 features, and a sigmoid probability."""

    def __init__(self):
        super().__init__()
        # padding_idx=1: the <pad> token's vector stays zero and gets no gradient.
        self.embedding = nn.Embedding(num_embeddings=MAX_WORDS, embedding_dim=3, padding_idx=1)
        self.conv = nn.Sequential()
        self.conv.add_module("conv_1", nn.Conv1d(in_channels=3, out_channels=16, kernel_size=5))
        self.conv.add_module("pool_1", nn.MaxPool1d(kernel_size=2))
        self.conv.add_module("relu_1", nn.ReLU())
        self.conv.add_module("conv_2", nn.Conv1d(in_channels=16, out_channels=128, kernel_size=2))
        self.conv.add_module("pool_2", nn.MaxPool1d(kernel_size=2))
        self.conv.add_module("relu_2", nn.ReLU())

        self.dense = nn.Sequential()
        self.dense.add_module("flatten", nn.Flatten())
        # 200 -> conv 196 -> pool 98 -> conv 97 -> pool 48 positions, 128 channels each.
        self.dense.add_module("linear", nn.Linear(6144, 1))
        self.dense.add_module("sigmoid", nn.Sigmoid())

    def forward(self, x):
        x = self.embedding(x).transpose(1, 2)  # [B, 200, 3] -> [B, 3, 200]: channels first
        x = self.conv(x)
        y = self.dense(x)
        return y


def accuracy(y_pred, y_true):
    """The tutorial's accuracy: threshold the probabilities at 0.5, count the matches."""
    y_pred = torch.where(
        y_pred > 0.5,
        torch.ones_like(y_pred, dtype=torch.float32),
        torch.zeros_like(y_pred, dtype=torch.float32),
    )
    acc = torch.mean(1 - torch.abs(y_true - y_pred))
    return acc


def main() -> None:
    args = parse_options(__doc__.splitlines()[0])
    start = time.perf_counter()
    torch.manual_seed(0)
    train_reviews, test_reviews = read_reviews(args)
    # Words seen once are more noise than signal: min_freq=2 sends them to <unk>.
    tokens = (tokenize(text) for _, text in train_reviews)
    vocab = build_vocab(tokens, max_size=MAX_WORDS - 2, min_freq=2)
    print(vocab, vocab.lookup_tokens(range(10)))
    ds_train = make_dataset(train_reviews, vocab)
    ds_test = make_dataset(test_reviews, vocab)
    # The tutorial uses 4 workers; these tensors are already in memory, nothing to parallelise.
    dl_train = DataLoader(ds_train, batch_size=BATCH_SIZE, shuffle=True)
    dl_test = DataLoader(ds_test, batch_size=BATCH_SIZE)
    for features, labels in dl_train:
        print(features[:2, -12:], labels[:2])
        break

    model = Net()
    print(model)
    model.summary(input_shape=(MAX_LEN,), input_dtype=torch.LongTensor)
    model.compile(
        loss_func=nn.BCELoss(),
        optimizer=torch.optim.Adagrad(model.parameters(), lr=0.02),
        metrics_dict={"accuracy": accuracy, "auc": AUROC()},
    )
    epochs = 5 if args.fast else 10
    dfhistory = model.fit(epochs, dl_train, dl_val=dl_test, log_step_freq=200, verbose=2)
    print(dfhistory)
    for metric in ("loss", "accuracy", "auc"):
        plot_metric(dfhistory, metric, path=args.out / f"text_sentiment_{metric}.png")

    probs = model.predict(dl_test)
    print(probs[:5].reshape(-1))

    # Saving the weights, loading them into a fresh Net, and evaluating the clone.
    print(model.state_dict().keys())
    torch.save(model.state_dict(), args.out / "text_sentiment.pt")
    model_clone = Net()
    model_clone.load_state_dict(torch.load(args.out / "text_sentiment.pt"))
    model_clone.compile(loss_func=nn.BCELoss(), metrics_dict={"accuracy": accuracy, "auc": AUROC()})
    result = model_clone.evaluate(dl_test)
    print(result)
    print(f"run_time_s={time.perf_counter() - start:.1f}")
    print(f"test_auc={result['val_auc']:.4f}")
    print(f"test_accuracy={result['val_accuracy']:.4f}")


if __name__ == "__main__":
    main()
