"""Serving handlers for the Hugging Face inference container.

SAGEMAKER_PROGRAM is tuning.inference; tickets-Tune copied this package into
/opt/ml/model/code/. Requests are {"inputs": "<ticket text>"}.
"""
import json

from transformers import AutoModelForSeq2SeqLM, AutoTokenizer


def model_fn(model_dir):
    return AutoTokenizer.from_pretrained(model_dir), AutoModelForSeq2SeqLM.from_pretrained(model_dir).eval()


def input_fn(body, content_type):
    if content_type != "application/json":
        raise ValueError(f"unsupported content type {content_type}")
    return json.loads(body)["inputs"]


def predict_fn(text, loaded):
    tokenizer, model = loaded
    tokens = tokenizer("summarize: " + text, return_tensors="pt", max_length=512, truncation=True)
    summary = model.generate(**tokens, max_new_tokens=96, num_beams=4)
    return tokenizer.decode(summary[0], skip_special_tokens=True)


def output_fn(summary, accept):
    return json.dumps({"summary": summary}), "application/json"
