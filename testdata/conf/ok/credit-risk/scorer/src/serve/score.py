"""Serve the scorer: JSON lines in, a default probability per line out."""
import json
import os

import xgboost as xgb


def model_fn(model_dir):
    booster = xgb.Booster()
    booster.load_model(os.path.join(model_dir, "xgboost-model"))
    return booster


def input_fn(body, content_type):
    return xgb.DMatrix([json.loads(line) for line in body.splitlines() if line])


def predict_fn(data, booster):
    return booster.predict(data)


def output_fn(prediction, accept):
    return "\n".join(json.dumps(float(p)) for p in prediction)
