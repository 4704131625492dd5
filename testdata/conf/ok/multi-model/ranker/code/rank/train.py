"""Train the learning-to-rank model on the joined features.

Input: /opt/ml/input/data/ranker-Features-train/features.csv  (chained from ranker-Features)
Model: /opt/ml/model/xgboost-model and code/ with the serving handlers.
"""
import argparse
import os
import shutil

import pandas as pd
import xgboost as xgb

HERE = os.path.dirname(os.path.abspath(__file__))

parser = argparse.ArgumentParser()
parser.add_argument("--objective", default="rank:ndcg")
parser.add_argument("--eval_metric", default="ndcg@10")
parser.add_argument("--num_round", type=int, default=200)
parser.add_argument("--max_depth", type=int, default=6)
parser.add_argument("--eta", type=float, default=0.1)
args = parser.parse_args()

frame = pd.read_csv("/opt/ml/input/data/ranker-Features-train/features.csv")
data = xgb.DMatrix(frame.drop(columns=["relevance", "query_id"]), label=frame["relevance"])
data.set_group(frame.groupby("query_id", sort=False).size().to_numpy())

params = {k: v for k, v in vars(args).items() if k != "num_round"}
booster = xgb.train(params, data, args.num_round, evals=[(data, "train")])
booster.save_model("/opt/ml/model/xgboost-model")
shutil.copytree(HERE, "/opt/ml/model/code/rank", ignore=shutil.ignore_patterns("__pycache__", "train.py"))
shutil.copy(os.path.join(HERE, "requirements.txt"), "/opt/ml/model/code/requirements.txt")
