"""Train an XGBoost classifier of loan defaults.

Inputs: /opt/ml/input/data/loan-Split-train/features.csv   (chained from loan-Split, output "train")
        /opt/ml/input/data/loan-Split-train2/features.csv  (chained from loan-Split, output "train2": validation)
Model:  /opt/ml/model/xgboost-model, and this directory's inference.py under /opt/ml/model/code/
The hyperparameters arrive as command-line flags, JSON-decoded by the training toolkit:
--objective binary:logistic --num_round 250 --eta 0.1 --subsample 0.8 --balance_classes True
"""
import argparse
import os
import shutil

import pandas as pd
import xgboost as xgb

parser = argparse.ArgumentParser()
parser.add_argument("--objective", default="binary:logistic")
parser.add_argument("--num_round", type=int, default=100)
parser.add_argument("--eta", type=float, default=0.3)
parser.add_argument("--subsample", type=float, default=1.0)
parser.add_argument("--balance_classes", default="False")
args, _ = parser.parse_known_args()


def load(channel):
    frame = pd.read_csv(f"/opt/ml/input/data/loan-Split-{channel}/features.csv", header=None)
    return xgb.DMatrix(frame.iloc[:, 1:], label=frame.iloc[:, 0])


train, validation = load("train"), load("train2")
params = {"objective": args.objective, "eta": args.eta, "subsample": args.subsample, "eval_metric": "auc"}
if args.balance_classes == "True":
    labels = train.get_label()
    params["scale_pos_weight"] = float((labels == 0).sum()) / max(float((labels == 1).sum()), 1.0)
booster = xgb.train(params, train, num_boost_round=args.num_round, evals=[(validation, "validation")])
booster.save_model("/opt/ml/model/xgboost-model")
os.makedirs("/opt/ml/model/code", exist_ok=True)
shutil.copy(os.path.join(os.path.dirname(__file__), "inference.py"), "/opt/ml/model/code/inference.py")
