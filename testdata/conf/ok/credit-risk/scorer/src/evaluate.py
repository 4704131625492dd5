"""Score the batch predictions against the applicants' known outcomes."""
import csv
import glob
import json
import os

PREDICTIONS = "/opt/ml/processing/input/scorer-Score-batch"
OUTCOMES = "/opt/ml/processing/input/outcomes/outcomes.csv"
OUT = "/opt/ml/processing/output"

scores = {}
for path in glob.glob(os.path.join(PREDICTIONS, "*.out")):
    with open(path) as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                scores[row["id"]] = float(row["SageMakerOutput"])
with open(OUTCOMES) as f:
    outcomes = {row["id"]: int(row["default"]) for row in csv.DictReader(f)}

pairs = [(scores[i], y) for i, y in outcomes.items() if i in scores]
correct = sum((p >= 0.5) == bool(y) for p, y in pairs)
accuracy = correct / len(pairs) if pairs else 0.0
os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "model_evaluation_metrics.json"), "w") as f:
    json.dump({"binary_classification_metrics": {"accuracy": {"value": accuracy}}}, f)
