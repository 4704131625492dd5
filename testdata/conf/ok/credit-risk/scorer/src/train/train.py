"""Fit an XGBoost scorer on the features model's outputs."""
import glob
import os

import pandas as pd
import xgboost as xgb

train = pd.concat(pd.read_csv(p) for p in glob.glob("/opt/ml/input/data/features-Build-train/*.csv"))
valid = pd.concat(pd.read_csv(p) for p in glob.glob("/opt/ml/input/data/features-Build-validation/*.csv"))
model = xgb.XGBClassifier(max_depth=5, objective="binary:logistic")
model.fit(train.drop(columns=["default"]), train["default"], eval_set=[(valid.drop(columns=["default"]), valid["default"])])
model.save_model(os.path.join("/opt/ml/model", "xgboost-model"))
