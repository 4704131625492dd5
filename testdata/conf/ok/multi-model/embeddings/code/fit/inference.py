"""Nearest items by embedding, served from the scikit-learn container.

SAGEMAKER_PROGRAM is fit.inference. Requests are {"item_id": "...", "k": 10}.
"""
import json
import os

import numpy as np
import pandas as pd


def model_fn(model_dir):
    items = pd.read_csv(os.path.join(model_dir, "items.csv"))["item_id"].astype(str)
    return items, np.load(os.path.join(model_dir, "item_vectors.npy"))


def input_fn(body, content_type):
    if content_type != "application/json":
        raise ValueError(f"unsupported content type {content_type}")
    return json.loads(body)


def predict_fn(request, model):
    items, vectors = model
    row = items.tolist().index(str(request["item_id"]))
    scores = vectors @ vectors[row]
    best = [i for i in np.argsort(-scores) if i != row][: int(request.get("k", 10))]
    return [{"item_id": items[i], "score": float(scores[i])} for i in best]


def output_fn(neighbours, accept):
    return json.dumps({"neighbours": neighbours}), "application/json"
