"""Compare the batch-transform scores with the held-out labels.

Inputs, as the evaluate section of conf/conf.yaml wires them:
  /opt/ml/processing/input/churn-holdout-labels/  static labels.csv
  /opt/ml/processing/input/churn-Score-holdout/   output of churn-Score
The report goes to /opt/ml/processing/output/model_evaluation_metrics.json,
which churn-Register attaches to the model package.
"""
import json
import os

import numpy as np
from sklearn.metrics import accuracy_score, roc_auc_score

INPUT = "/opt/ml/processing/input"
OUTPUT = "/opt/ml/processing/output"

labels = np.loadtxt(os.path.join(INPUT, "churn-holdout-labels", "labels.csv"), delimiter=",")
scores = np.loadtxt(os.path.join(INPUT, "churn-Score-holdout", "features.csv.out"), delimiter=",")

report = {
    "binary_classification_metrics": {
        "auc": {"value": float(roc_auc_score(labels, scores)), "standard_deviation": "NaN"},
        "accuracy": {"value": float(accuracy_score(labels, scores > 0.5)), "standard_deviation": "NaN"},
    }
}
os.makedirs(OUTPUT, exist_ok=True)
with open(os.path.join(OUTPUT, "model_evaluation_metrics.json"), "w") as f:
    json.dump(report, f, indent=2)
print(json.dumps(report))
