"""Train the churn classifier with XGBoost in script mode.

Channels arrive under /opt/ml/input/data/<channel>/ and hyperparameters as
command-line flags. The model is registered without a repack step, so the
serving code is copied into /opt/ml/model/code/ next to the booster.
"""
import argparse
import os
import shutil

import pandas as pd
import xgboost as xgb

LABEL = os.environ.get("CHURN_LABEL_COLUMN", "churned")
HERE = os.path.dirname(os.path.abspath(__file__))


def load(channel, name):
    frame = pd.read_csv(os.path.join("/opt/ml/input/data", channel, name))
    return xgb.DMatrix(frame.drop(columns=[LABEL]), label=frame[LABEL])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--objective", default="binary:logistic")
    parser.add_argument("--eval_metric", default="auc")
    parser.add_argument("--num_round", type=int, default=100)
    parser.add_argument("--max_depth", type=int, default=6)
    parser.add_argument("--eta", type=float, default=0.3)
    parser.add_argument("--subsample", type=float, default=1.0)
    args = parser.parse_args()

    train = load("train", "train.csv")
    validation = load("validation", "validation.csv")
    params = {k: v for k, v in vars(args).items() if k != "num_round"}
    booster = xgb.train(params, train, args.num_round, evals=[(validation, "validation")], early_stopping_rounds=20)

    booster.save_model("/opt/ml/model/xgboost-model")
    shutil.copytree(HERE, "/opt/ml/model/code/xgb", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(os.path.join(HERE, "requirements.txt"), "/opt/ml/model/code/requirements.txt")
