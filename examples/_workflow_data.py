"""Offline stand-ins for the tutorials' datasets, used by the workflow examples when the real
files are not supplied:

- `write_digit_folders`: scikit-learn's bundled 8x8 digits as 32x32 RGB PNG files in an
  ImageFolder tree (`train/<digit>/*.png`, `test/<digit>/*.png`), like the tutorial's cifar2.
- `sentiment_corpus`: movie-review-like texts whose label follows from sentiment words,
  negations flipping them, among neutral filler (the tutorial's IMDB task in miniature).
- `simulate_epidemic`: an SIRD epidemic with a lockdown, as the cumulative
  confirmed / cured / dead table the tutorial reads from its COVID-19 CSV.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

# ----- images -----


def write_digit_folders(
    root: Path, limit: int | None = None, digit_size: int = 20, seed: int = 0
) -> Path:
    """Writes the digits as PNG files under `root/train` and `root/test` (an 80/20 split,
    stratified by class); `limit` keeps only that many images in all. Returns `root`. The
    folder is emptied first: no image of an earlier, larger run stays among the new ones.

    Each digit is upscaled to `digit_size` pixels and centred on a black 32x32 RGB canvas,
    as a CIFAR object sits inside its frame. (Each feature of the tutorial's CNN sees a 14x14
    window; digits filling the whole frame gave 94-96% test accuracy, 20-pixel ones 98%.)"""
    from PIL import Image
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    shutil.rmtree(root, ignore_errors=True)
    digits = load_digits()
    images, labels = digits.images, digits.target
    if limit is not None:
        images, _, labels, _ = train_test_split(
            images, labels, train_size=limit, stratify=labels, random_state=seed
        )
    split = train_test_split(images, labels, test_size=0.2, stratify=labels, random_state=seed)
    train_x, test_x, train_y, test_y = split
    for part, xs, ys in (("train", train_x, train_y), ("test", test_x, test_y)):
        for index, (image, label) in enumerate(zip(xs, ys)):
            folder = root / part / str(label)
            folder.mkdir(parents=True, exist_ok=True)
            # Ink intensity 0..16 -> 0..255, upscaled smoothly, pasted in the canvas' middle.
            grey = Image.fromarray((image * (255.0 / 16.0)).astype(np.uint8), mode="L")
            canvas = Image.new("RGB", (32, 32))
            corner = (32 - digit_size) // 2
            canvas.paste(grey.resize((digit_size, digit_size), Image.BILINEAR), (corner, corner))
            canvas.save(folder / f"{index:04d}.png")
    return root


# ----- text -----

POSITIVE = (  # noqa: SIM905 (a word list reads best as one string)
    "good great excellent wonderful brilliant superb moving delightful charming "
    "enjoyable fantastic beautiful masterful gripping hilarious touching"
).split()
NEGATIVE = (  # noqa: SIM905 (a word list reads best as one string)
    "bad awful terrible boring dull poor weak horrible painful tedious clumsy "
    "predictable forgettable lame mediocre ridiculous"
).split()
NEGATIONS = ("not", "never", "hardly", "far from")
NEUTRAL = (  # noqa: SIM905 (a word list reads best as one string)
    "the movie film plot story actor actress director script scene scenes ending cast "
    "camera music soundtrack character characters dialogue was is it this that and a an "
    "of in with about for its their as to some very quite rather really overall i we "
    "watched saw thought found felt"
).split()
SUBJECTS = ("the acting", "the plot", "the ending", "the script", "the music", "this film")
# A long tail of rare words (names, one-off nouns): most are seen once or twice, fall under
# the vocabulary's min_freq and become <unk>, as the rare words of real reviews do.
RARE = [f"{prefix}{n}" for prefix in ("name", "place", "thing") for n in range(5000)]
AGREEMENT = 0.9  # how often a sentence's sentiment agrees with its review's label
NEGATION = 0.2  # how often a sentiment word is negated (and so means its opposite)


def _pick(rng: np.random.Generator, words: Sequence[str]) -> str:
    # An index, not rng.choice(words): that would turn the list into an array on every call.
    return words[int(rng.integers(len(words)))]


def _sentence(rng: np.random.Generator, positive: bool) -> str:
    """One sentence: a few filler words and one sentiment phrase of the given polarity,
    sometimes negated (then the word has the opposite polarity: "not good")."""
    negate = rng.random() < NEGATION
    word_is_positive = positive != negate
    word = _pick(rng, POSITIVE if word_is_positive else NEGATIVE)
    phrase = f"{_pick(rng, NEGATIONS)} {word}" if negate else word
    filler = [_pick(rng, NEUTRAL) for _ in range(int(rng.integers(2, 7)))]
    if rng.random() < 0.3:
        filler.append(_pick(rng, RARE))
    filler.insert(int(rng.integers(len(filler) + 1)), f"{_pick(rng, SUBJECTS)} was {phrase}")
    return " ".join(filler).capitalize() + _pick(rng, (".", "!", "..."))


def sentiment_corpus(n: int, seed: int = 0) -> list[tuple[int, str]]:
    """`n` (label, review) pairs, half positive, in random order. A review holds 5 to 25
    sentences, each agreeing with the label with probability AGREEMENT: short reviews are
    harder than long ones, and a bag of words blind to negation misreads "not good"."""
    rng = np.random.default_rng(seed)
    corpus = []
    for i in range(n):
        label = i % 2
        sentences = [
            _sentence(rng, positive=(rng.random() < AGREEMENT) == bool(label))
            for _ in range(int(rng.integers(5, 26)))
        ]
        corpus.append((label, " <br /><br />".join(sentences)))
    order = rng.permutation(n)
    return [corpus[i] for i in order]


# ----- time series -----


def simulate_epidemic(
    days: int,
    population: float = 6.0e7,
    initial_infected: float = 200.0,
    seed: int = 0,
):
    """A discrete-time SIRD epidemic as a pandas DataFrame of cumulative counts, one row a
    day: columns `date`, `confirmed_num`, `cured_num`, `dead_num` (the tutorial's CSV).

    Each day: new infections beta*S*I/N, recoveries gamma*I, deaths mu*I. The contact rate
    beta falls from 0.40 to 0.02 over days 12-20 (a lockdown), so new cases rise, peak and
    decay like the tutorial's early-2020 curve. Daily counts get multiplicative reporting
    noise (a few percent), then are accumulated.
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    gamma, mu = 0.06, 0.003
    susceptible, infected = population - initial_infected, initial_infected
    daily = []
    for day in range(days):
        # Smooth step from 0.40 to 0.02 between day 12 and day 20.
        ramp = min(max((day - 12) / 8.0, 0.0), 1.0)
        beta = 0.40 + (0.02 - 0.40) * ramp
        new_cases = beta * susceptible * infected / population
        cured, dead = gamma * infected, mu * infected
        susceptible -= new_cases
        infected += new_cases - cured - dead
        daily.append((new_cases, cured, dead))
    noise = rng.lognormal(mean=0.0, sigma=0.04, size=(days, 3))
    counts = np.floor(np.cumsum(np.asarray(daily) * noise, axis=0))
    dates = pd.date_range("2020-01-20", periods=days, freq="D").strftime("%Y-%m-%d")
    table = pd.DataFrame(counts, columns=["confirmed_num", "cured_num", "dead_num"])
    table.insert(0, "date", dates)
    return table
