"""Serving handlers for the churn model in the XGBoost container.

SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code and SAGEMAKER_PROGRAM=xgb.inference
point the container here; train.py copied this package into the model.
Batch transform sends headerless CSV lines and gets one churn score per line.
"""
import io
import os

import numpy as np
import xgboost as xgb


def model_fn(model_dir):
    booster = xgb.Booster()
    booster.load_model(os.path.join(model_dir, "xgboost-model"))
    return booster


def input_fn(body, content_type):
    if content_type != "text/csv":
        raise ValueError(f"unsupported content type {content_type}")
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    return xgb.DMatrix(np.loadtxt(io.StringIO(text), delimiter=",", ndmin=2))


def predict_fn(data, booster):
    return booster.predict(data)


def output_fn(scores, accept):
    return "\n".join(f"{s:.6f}" for s in scores), "text/csv"
