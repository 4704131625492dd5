"""Serve the loan default model: CSV rows of features in, probabilities out."""
import io
import os

import numpy as np
import xgboost as xgb


def model_fn(model_dir):
    booster = xgb.Booster()
    booster.load_model(os.path.join(model_dir, "xgboost-model"))
    return booster


def input_fn(body, content_type):
    return xgb.DMatrix(np.loadtxt(io.StringIO(body.decode() if isinstance(body, bytes) else body), delimiter=",", ndmin=2))


def predict_fn(data, booster):
    return booster.predict(data)


def output_fn(prediction, accept):
    return "\n".join(f"{p:.6f}" for p in prediction)
