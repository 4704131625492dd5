"""Serving handlers for the scikit-learn container.

The repack step put sentiment/src/ at /opt/ml/model/code/, and
SAGEMAKER_PROGRAM is serve.inference. Each input line is a JSON object with
a "text" field; each output line adds "label" and "confidence".
"""
import json
import os

import joblib


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def input_fn(body, content_type):
    if content_type != "application/jsonlines":
        raise ValueError(f"unsupported content type {content_type}")
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def predict_fn(records, model):
    probabilities = model.predict_proba([r["text"] for r in records])
    for record, p in zip(records, probabilities):
        record["label"], record["confidence"] = str(model.classes_[p.argmax()]), round(float(p.max()), 4)
    return records


def output_fn(records, accept):
    return "\n".join(json.dumps(r) for r in records), "application/jsonlines"
