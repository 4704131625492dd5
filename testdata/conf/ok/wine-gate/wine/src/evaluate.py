"""Score wine-Predict's ratings; the quality gate reads regression_metrics.mse.value.

Inputs (evaluate.channels is "train", so each source is read as <step>-train):
  /opt/ml/processing/input/wine-Prepare-train/test/y_test.csv
  /opt/ml/processing/input/wine-Predict-train/x_test.csv.out
Output: /opt/ml/processing/output/model_evaluation_metrics.json
"""
import json
import os

import numpy as np

INPUT = "/opt/ml/processing/input"

actual = np.loadtxt(os.path.join(INPUT, "wine-Prepare-train", "test", "y_test.csv"))
predicted = np.loadtxt(os.path.join(INPUT, "wine-Predict-train", "x_test.csv.out"))
mse = float(np.mean((predicted - actual) ** 2))
os.makedirs("/opt/ml/processing/output", exist_ok=True)
with open("/opt/ml/processing/output/model_evaluation_metrics.json", "w") as f:
    json.dump({"regression_metrics": {"mse": {"value": mse, "standard_deviation": "NaN"}}}, f)
