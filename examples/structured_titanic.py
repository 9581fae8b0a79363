"""Structured data: who survived the Titanic? The tutorials' first worked example.

prepare data (pandas: one-hot columns, fillna, null flags, 15 features) -> define a model
(nn.Sequential built with add_module, 15-20-15-1) -> train (BCELoss, Adam, with the Keras-like
ferrograd.train.Model) -> evaluate (history, loss/accuracy curves) -> predict (torch.where)
-> save and reload (the state_dict, then the whole model).

Reads Kaggle's data/titanic/train.csv (and test.csv; `--data` names another folder than
./data) when they are there; otherwise it generates a synthetic passenger table with the
same columns.

    python examples/structured_titanic.py [--fast] [--out FOLDER] [--data FOLDER]
"""

import os

import _example_options
import ferrograd as torch
import matplotlib.pyplot as plt
import pandas as pd
from _basics_titanic import synthetic_titanic
from ferrograd.train import Model, binary_accuracy, plot_metric
from ferrograd.utils.data import DataLoader, TensorDataset

nn = torch.nn

args = _example_options.parse_options(__doc__.splitlines()[0])
EPOCHS = 3 if args.fast else 10
torch.manual_seed(42)

# ---------------------------------------------------------------- 1. prepare the data


def read_passengers(folder):
    """(train, valid, unlabelled test or None): Kaggle's files if present, else synthetic."""
    train_csv, test_csv = os.path.join(folder, "train.csv"), os.path.join(folder, "test.csv")
    if not os.path.exists(train_csv):
        print(f"no {train_csv}: using a synthetic passenger table")
        return (*synthetic_titanic(), None)
    dftrain = pd.read_csv(train_csv)
    dftest = pd.read_csv(test_csv) if os.path.exists(test_csv) else None
    if dftest is not None and "Survived" in dftest.columns:
        return dftrain, dftest, None  # the tutorial's split: both files labelled
    # Kaggle's own test.csv has no labels: validate on a fifth of train.csv instead.
    valid = dftrain.sample(frac=0.2, random_state=0)
    return dftrain.drop(valid.index), valid, dftest


dftrain_raw, dftest_raw, dfkaggle_test = read_passengers(args.data / "titanic")
print(dftrain_raw.head())
print(dftrain_raw["Survived"].value_counts())

ax = dftrain_raw["Survived"].value_counts().plot(kind="bar", figsize=(12, 8), fontsize=15, rot=0)
ax.set_ylabel("Counts", fontsize=15)
ax.set_xlabel("Survived", fontsize=15)
ax.figure.savefig(args.out / "titanic_survived.png")
plt.close(ax.figure)


def preprocessing(dfdata):
    """15 numeric features. get_dummies makes bool columns since pandas 2: dtype=int keeps
    `.values` numeric (the tutorial predates that)."""
    dfresult = pd.DataFrame()
    # Pclass: one column a class (one-hot).
    dfPclass = pd.get_dummies(dfdata["Pclass"], dtype=int)
    dfPclass.columns = ["Pclass_" + str(x) for x in dfPclass.columns]
    dfresult = pd.concat([dfresult, dfPclass], axis=1)
    # Sex
    dfSex = pd.get_dummies(dfdata["Sex"], dtype=int)
    dfresult = pd.concat([dfresult, dfSex], axis=1)
    # Age: missing ages become 0, with a flag saying so.
    dfresult["Age"] = dfdata["Age"].fillna(0)
    dfresult["Age_null"] = pd.isna(dfdata["Age"]).astype("int32")
    # SibSp, Parch, Fare
    dfresult["SibSp"] = dfdata["SibSp"]
    dfresult["Parch"] = dfdata["Parch"]
    dfresult["Fare"] = dfdata["Fare"].fillna(0)
    # Cabin: only whether it is known.
    dfresult["Cabin_null"] = pd.isna(dfdata["Cabin"]).astype("int32")
    # Embarked, with a column for the missing port (dummy_na); all four always present.
    dfEmbarked = pd.get_dummies(dfdata["Embarked"], dummy_na=True, dtype=int)
    dfEmbarked.columns = ["Embarked_" + str(x) for x in dfEmbarked.columns]
    ports = ["Embarked_C", "Embarked_Q", "Embarked_S", "Embarked_nan"]
    dfEmbarked = dfEmbarked.reindex(columns=ports, fill_value=0)
    dfresult = pd.concat([dfresult, dfEmbarked], axis=1)
    return dfresult


# Workaround: pandas (copy-on-write) hands out read-only arrays, and ferrograd.tensor warns
# about them although it copies them (PyTorch warns only in from_numpy/as_tensor, which
# share memory): copy=True gives writable arrays. The tutorial writes `.values`.
x_train = preprocessing(dftrain_raw).to_numpy(copy=True)
y_train = dftrain_raw[["Survived"]].to_numpy(copy=True)
x_test = preprocessing(dftest_raw).to_numpy(copy=True)
y_test = dftest_raw[["Survived"]].to_numpy(copy=True)
print("x_train.shape =", x_train.shape)
print("x_test.shape =", x_test.shape)
print("y_train.shape =", y_train.shape)
print("y_test.shape =", y_test.shape)

dl_train = DataLoader(
    TensorDataset(torch.tensor(x_train).float(), torch.tensor(y_train).float()),
    shuffle=True,
    batch_size=8,
)
dl_valid = DataLoader(
    TensorDataset(torch.tensor(x_test).float(), torch.tensor(y_test).float()),
    shuffle=False,
    batch_size=8,
)

# ---------------------------------------------------------------- 2. define the model


def create_net():
    net = nn.Sequential()
    net.add_module("linear1", nn.Linear(15, 20))
    net.add_module("relu1", nn.ReLU())
    net.add_module("linear2", nn.Linear(20, 15))
    net.add_module("relu2", nn.ReLU())
    net.add_module("linear3", nn.Linear(15, 1))
    net.add_module("sigmoid", nn.Sigmoid())
    return net


net = create_net()
print(net)

# ---------------------------------------------------------------- 3. train

model = Model(net)
model.summary(input_shape=(15,))
model.compile(
    loss_func=nn.BCELoss(),
    optimizer=torch.optim.Adam(params=model.parameters(), lr=0.01),
    metrics_dict={"accuracy": binary_accuracy},  # probabilities above 0.5 count as survived
)
dfhistory = model.fit(EPOCHS, dl_train, dl_val=dl_valid, log_step_freq=30)

# ---------------------------------------------------------------- 4. evaluate

print(dfhistory)
plot_metric(dfhistory, "loss", path=args.out / "titanic_loss.png")
plot_metric(dfhistory, "accuracy", path=args.out / "titanic_accuracy.png")
print(model.evaluate(dl_valid))

# ---------------------------------------------------------------- 5. use the model

y_pred_probs = net(torch.tensor(x_test[0:10]).float()).data  # survival probabilities
print(y_pred_probs)
y_pred = torch.where(
    y_pred_probs > 0.5, torch.ones_like(y_pred_probs), torch.zeros_like(y_pred_probs)
)
print(y_pred)
if dfkaggle_test is not None:  # Kaggle's unlabelled test set: one prediction a passenger
    features = torch.tensor(preprocessing(dfkaggle_test).to_numpy(copy=True)).float()
    survived = (net(features).data > 0.5).long().reshape(-1)
    submission = pd.DataFrame(
        {"PassengerId": dfkaggle_test["PassengerId"], "Survived": survived.numpy()}
    )
    submission.to_csv(args.out / "titanic_submission.csv", index=False)

# ---------------------------------------------------------------- 6. save the model

# The recommended way: the parameters only (a state_dict), loaded into a freshly built net.
print(net.state_dict().keys())
torch.save(net.state_dict(), args.out / "net_parameter.pt")
net_clone = create_net()
net_clone.load_state_dict(torch.load(args.out / "net_parameter.pt"))
print(net_clone.forward(torch.tensor(x_test[0:10]).float()).data.reshape(-1))

# The whole model, pickled with its class: loading it runs code from the file, hence
# weights_only=False (only for files you trust).
torch.save(net, args.out / "net_model.pt")
net_loaded = torch.load(args.out / "net_model.pt", weights_only=False)
same = torch.equal(net_loaded(torch.tensor(x_test).float()), net(torch.tensor(x_test).float()))
print("reloaded model gives the same predictions:", same)

val_accuracy = dfhistory["val_accuracy"].iloc[-1]
print(f"val_accuracy={val_accuracy:.4f}")
