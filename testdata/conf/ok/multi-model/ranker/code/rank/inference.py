"""Score candidate items for one query (XGBoost container, script mode).

SAGEMAKER_PROGRAM is rank.inference. The body is headerless CSV, one
candidate per line, with the feature columns that features.py writes.
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
