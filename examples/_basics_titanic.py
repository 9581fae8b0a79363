"""A synthetic Titanic passenger table, for when Kaggle's train.csv is not on disk.

The columns are Kaggle's (PassengerId, Survived, Pclass, Name, Sex, Age, SibSp, Parch, Ticket,
Fare, Cabin, Embarked) and so are the marginals, roughly: 55% third class, 65% men, a fifth of
the ages missing, cabins known mostly in first class, three ports plus two blanks. Survival
follows the real table's pattern: "women and children first", then class. The rates below
are the real ones by sex, age and class: women 97/92% in classes 1/2, and in third class 60%
in small families but 15% in large ones; adult men 35/8/12%; boys under 13 all saved in
classes 1/2, 40% in third. A model can learn about 80% accuracy from these features, as on the
real data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = [
    "PassengerId",
    "Survived",
    "Pclass",
    "Name",
    "Sex",
    "Age",
    "SibSp",
    "Parch",
    "Ticket",
    "Fare",
    "Cabin",
    "Embarked",
]

# P(survived | group, class) from the real passenger list.
_SURVIVAL = {
    "female": {1: 0.97, 2: 0.92, 3: 0.60},
    "large family": {1: 0.97, 2: 0.92, 3: 0.15},  # women in families of five or more
    "boy": {1: 1.0, 2: 1.0, 3: 0.40},
    "man": {1: 0.35, 2: 0.08, 3: 0.12},
}
# Median fare by class (pounds); fares spread log-normally around it.
_FARE = {1: 60.0, 2: 14.5, 3: 8.05}
_AGE_MEAN = {1: 38.0, 2: 30.0, 3: 25.0}
_CABIN_KNOWN = {1: 0.8, 2: 0.1, 3: 0.03}
_SURNAMES = ["Smith", "Brown", "Kelly", "Andersson", "Sage", "Carter", "Johnson", "Goodwin"]
_FIRST = {"male": ["John", "William", "Karl", "Thomas"], "female": ["Mary", "Anna", "Elin"]}


def _title(sex: str, age: float, married: bool) -> str:
    if sex == "male":
        return "Master" if age < 13 else "Mr"
    return "Mrs" if married and age >= 18 else "Miss"


def _passenger(rng: np.random.Generator, passenger_id: int) -> dict:
    """One row: class first, then the columns that depend on it, then survival."""
    pclass = int(rng.choice([1, 2, 3], p=[0.24, 0.21, 0.55]))
    sex = "male" if rng.random() < 0.65 else "female"
    if rng.random() < 0.08:  # children under 13, about one passenger in twelve
        age = float(rng.uniform(0.42, 13.0))
    else:
        age = float(np.clip(rng.normal(_AGE_MEAN[pclass], 12.0), 13.0, 80.0))
    if age >= 1:
        age = float(round(age))  # whole years, as most of the real ages
    sibsp = int(rng.choice([0, 1, 2, 3, 4], p=[0.68, 0.23, 0.04, 0.03, 0.02]))
    parch = int(rng.choice([0, 1, 2, 3], p=[0.76, 0.13, 0.09, 0.02]))
    fare = round(float(_FARE[pclass] * np.exp(rng.normal(0.0, 0.5)) * (1 + 0.3 * parch)), 4)
    cabin = None
    if rng.random() < _CABIN_KNOWN[pclass]:
        cabin = f"{'ABCDE'[int(rng.integers(0, 5))]}{int(rng.integers(1, 130))}"
    embarked = str(rng.choice(["S", "C", "Q"], p=[0.72, 0.19, 0.09]))
    if sex == "male":
        group = "boy" if age < 13 else "man"  # children first
    else:
        group = "large family" if sibsp + parch >= 4 else "female"
    rate = _SURVIVAL[group][pclass]
    name = f"{rng.choice(_SURNAMES)}, {_title(sex, age, sibsp > 0)}. {rng.choice(_FIRST[sex])}"
    return {
        "PassengerId": passenger_id,
        "Survived": int(rng.random() < rate),
        "Pclass": pclass,
        "Name": name,
        "Sex": sex,
        # About a fifth of the real ages are unknown, more of them in third class.
        "Age": np.nan if rng.random() < (0.28 if pclass == 3 else 0.1) else age,
        "SibSp": sibsp,
        "Parch": parch,
        "Ticket": str(int(rng.integers(1000, 400000))),
        "Fare": fare,
        "Cabin": cabin,
        "Embarked": embarked,
    }


def synthetic_titanic(n_train: int = 712, n_test: int = 179, seed: int = 0):
    """(train, test) DataFrames with Kaggle's columns, both with `Survived`, as the tutorial's
    split of the 891 labelled passengers (712 to train on, 179 to validate with)."""
    rng = np.random.default_rng(seed)
    rows = [_passenger(rng, i + 1) for i in range(n_train + n_test)]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame.loc[rng.choice(len(frame), size=2, replace=False), "Embarked"] = np.nan  # two blanks
    return frame.iloc[:n_train].reset_index(drop=True), frame.iloc[n_train:].reset_index(drop=True)
