"""Derive per-transaction features from the raw card transactions.

Input:  /opt/ml/processing/input/transactions/2024-06.csv
Output: /opt/ml/processing/output/train/features.csv (label column first)
"""
import os

import numpy as np
import pandas as pd

OUT = "/opt/ml/processing/output/train"

tx = pd.read_csv("/opt/ml/processing/input/transactions/2024-06.csv", parse_dates=["timestamp"])
tx = tx.sort_values(["card_id", "timestamp"])
tx["hour"] = tx["timestamp"].dt.hour
tx["log_amount"] = np.log1p(tx["amount"].clip(lower=0))
tx["seconds_since_last"] = tx.groupby("card_id")["timestamp"].diff().dt.total_seconds().fillna(-1)
tx["card_mean_amount"] = tx.groupby("card_id")["amount"].transform(lambda s: s.expanding().mean().shift().fillna(0))
tx["foreign"] = (tx["merchant_country"] != tx["card_country"]).astype(int)

os.makedirs(OUT, exist_ok=True)
columns = ["is_fraud", "hour", "log_amount", "seconds_since_last", "card_mean_amount", "foreign"]
tx[columns].to_csv(os.path.join(OUT, "features.csv"), index=False)
print(f"{len(tx)} transactions, fraud rate {tx['is_fraud'].mean():.4%}")
