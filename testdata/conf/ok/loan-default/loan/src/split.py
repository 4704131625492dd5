"""Split loan applications into a training set and a later holdout.

Input:  /opt/ml/processing/input/applications/applications.csv (static, dataFiles "applications")
Output: /opt/ml/processing/output/train/features.csv           (channel "train": label first, no header)
        /opt/ml/processing/output/train2/features.csv          (channel "train2": the newest 10%)
"""
import os

import pandas as pd

apps = pd.read_csv("/opt/ml/processing/input/applications/applications.csv").sort_values("applied_at")
apps = apps[["defaulted", "income", "amount", "term_months", "credit_score"]]
cut = int(len(apps) * 0.9)
for channel, part in (("train", apps[:cut]), ("train2", apps[cut:])):
    out = f"/opt/ml/processing/output/{channel}"
    os.makedirs(out, exist_ok=True)
    part.to_csv(os.path.join(out, "features.csv"), header=False, index=False)
