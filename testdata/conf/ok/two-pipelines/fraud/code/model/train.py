"""Fit a gradient-boosted fraud classifier.

Input: /opt/ml/input/data/fraud-Prepare-train/features.csv  (chained from fraud-Prepare)
Model: /opt/ml/model/model.joblib and code/ with the serving handlers.
"""
import argparse
import os
import shutil

import joblib
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

HERE = os.path.dirname(os.path.abspath(__file__))

parser = argparse.ArgumentParser()
parser.add_argument("--learning_rate", type=float, default=0.1)
parser.add_argument("--max_iter", type=int, default=100)
args = parser.parse_args()

frame = pd.read_csv("/opt/ml/input/data/fraud-Prepare-train/features.csv")
model = HistGradientBoostingClassifier(learning_rate=args.learning_rate, max_iter=args.max_iter,
                                       class_weight="balanced", random_state=11)
model.fit(frame.drop(columns=["is_fraud"]), frame["is_fraud"])

joblib.dump(model, "/opt/ml/model/model.joblib")
shutil.copytree(HERE, "/opt/ml/model/code/model", ignore=shutil.ignore_patterns("__pycache__", "train.py"))
shutil.copy(os.path.join(HERE, "requirements.txt"), "/opt/ml/model/code/requirements.txt")
