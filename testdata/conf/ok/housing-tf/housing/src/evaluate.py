"""Score house-Predict's output against the held-out prices.

Inputs (evaluate.channels is "train", so each source is read as <step>-train):
  /opt/ml/processing/input/house-Prepare-train/test/y_test.csv
  /opt/ml/processing/input/house-Predict-train/x_test.csv.out
Output: /opt/ml/processing/output/model_evaluation_metrics.json
"""
import json
import os

import numpy as np

INPUT = "/opt/ml/processing/input"
OUTPUT = "/opt/ml/processing/output"

actual = np.loadtxt(os.path.join(INPUT, "house-Prepare-train", "test", "y_test.csv"), delimiter=",")
predicted = np.loadtxt(os.path.join(INPUT, "house-Predict-train", "x_test.csv.out"), delimiter=",")

errors = predicted - actual
mse = float(np.mean(errors**2))
r2 = 1.0 - mse / float(np.var(actual))
report = {
    "regression_metrics": {
        "mse": {"value": mse, "standard_deviation": float(np.std(errors**2))},
        "rmse": {"value": mse**0.5, "standard_deviation": "NaN"},
        "mae": {"value": float(np.mean(np.abs(errors))), "standard_deviation": "NaN"},
        "r2": {"value": r2, "standard_deviation": "NaN"},
    }
}
os.makedirs(OUTPUT, exist_ok=True)
with open(os.path.join(OUTPUT, "model_evaluation_metrics.json"), "w") as f:
    json.dump(report, f, indent=2)
print(json.dumps(report))
