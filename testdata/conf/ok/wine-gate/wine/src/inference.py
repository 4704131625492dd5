"""TensorFlow Serving handlers: headerless CSV lines in, one rating per line out.

The repack steps put this file in the model's code/ directory.
"""
import json


def input_handler(data, context):
    rows = [[float(v) for v in line.split(",")] for line in data.read().decode("utf-8").splitlines() if line.strip()]
    return json.dumps({"instances": rows})


def output_handler(response, context):
    if response.status_code != 200:
        raise ValueError(response.content.decode("utf-8"))
    return "\n".join(f"{p[0]:.3f}" for p in json.loads(response.content)["predictions"]), "text/csv"
