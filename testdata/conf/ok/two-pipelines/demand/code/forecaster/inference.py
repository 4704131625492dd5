"""Forecast daily units for one store. Requests: {"store_id": "S042", "days": 7}.

SAGEMAKER_PROGRAM is forecaster.inference; demand-Train copied it into the model.
"""
import json
import os
import pickle


def model_fn(model_dir):
    with open(os.path.join(model_dir, "models.pkl"), "rb") as f:
        return pickle.load(f)


def input_fn(body, content_type):
    if content_type != "application/json":
        raise ValueError(f"unsupported content type {content_type}")
    return json.loads(body)


def predict_fn(request, bundle):
    days = min(int(request.get("days", bundle["horizon_days"])), bundle["horizon_days"])
    forecast = bundle["models"][str(request["store_id"])].forecast(days)
    return [{"date": d.strftime("%Y-%m-%d"), "units": round(float(u), 1)} for d, u in forecast.items()]


def output_fn(forecast, accept):
    return json.dumps({"forecast": forecast}), "application/json"
