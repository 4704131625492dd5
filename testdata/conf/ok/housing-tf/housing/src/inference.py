"""Request and response handlers for the TensorFlow Serving container.

The container loads this module from /opt/ml/model/code/ (SAGEMAKER_PROGRAM
is "inference"); house-Train copied it there. Batch transform sends
headerless CSV lines and gets one predicted log price per line.
"""
import json


def input_handler(data, context):
    if context.request_content_type != "text/csv":
        raise ValueError(f"unsupported content type {context.request_content_type}")
    lines = data.read().decode("utf-8").splitlines()
    rows = [[float(v) for v in line.split(",")] for line in lines if line.strip()]
    return json.dumps({"instances": rows})


def output_handler(response, context):
    if response.status_code != 200:
        raise ValueError(response.content.decode("utf-8"))
    predictions = json.loads(response.content)["predictions"]
    return "\n".join(f"{p[0]:.6f}" for p in predictions), "text/csv"
