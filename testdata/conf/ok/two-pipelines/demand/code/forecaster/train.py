"""Fit one Holt-Winters model per store on daily unit sales.

Input: /opt/ml/input/data/demand-Aggregate-daily/sales.csv  (chained from demand-Aggregate)
Model: /opt/ml/model/models.pkl and code/ with the serving handlers.
"""
import argparse
import os
import pickle
import shutil

import pandas as pd
from statsmodels.tsa.holtwinters import ExponentialSmoothing

HERE = os.path.dirname(os.path.abspath(__file__))
PERIODS = {"weekly": 7, "yearly": 365}

parser = argparse.ArgumentParser()
parser.add_argument("--horizon_days", type=int, default=14)
parser.add_argument("--seasonality", choices=sorted(PERIODS), default="weekly")
args = parser.parse_args()

sales = pd.read_csv("/opt/ml/input/data/demand-Aggregate-daily/sales.csv", parse_dates=["date"])
models = {}
for store, history in sales.groupby("store_id"):
    series = history.set_index("date")["units"].asfreq("D", fill_value=0)
    fit = ExponentialSmoothing(series, trend="add", seasonal="add", seasonal_periods=PERIODS[args.seasonality]).fit()
    models[str(store)] = fit

with open("/opt/ml/model/models.pkl", "wb") as f:
    pickle.dump({"horizon_days": args.horizon_days, "models": models}, f)
shutil.copytree(HERE, "/opt/ml/model/code/forecaster", ignore=shutil.ignore_patterns("__pycache__", "train.py"))
shutil.copy(os.path.join(HERE, "requirements.txt"), "/opt/ml/model/code/requirements.txt")
