"""Fraud probability per CSV line (scikit-learn container).

SAGEMAKER_PROGRAM is model.inference; fraud-Train copied it into the model.
"""
import io
import os

import joblib
import numpy as np


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def input_fn(body, content_type):
    if content_type != "text/csv":
        raise ValueError(f"unsupported content type {content_type}")
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    return np.loadtxt(io.StringIO(text), delimiter=",", ndmin=2)


def predict_fn(rows, model):
    return model.predict_proba(rows)[:, 1]


def output_fn(scores, accept):
    return "\n".join(f"{s:.6f}" for s in scores), "text/csv"
