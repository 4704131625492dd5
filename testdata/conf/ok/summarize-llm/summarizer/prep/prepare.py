"""Clean the support tickets and write the training and testing sets.

Inputs:  /opt/ml/processing/input/tickets-train/tickets-train.jsonl  (S3)
         /opt/ml/processing/input/tickets-holdout/holdout-tickets.csv (this repository)
Outputs: /opt/ml/processing/output/training/train.jsonl
         /opt/ml/processing/output/testing/test.jsonl
"""
import os

import pandas as pd

IN = "/opt/ml/processing/input"
OUT = "/opt/ml/processing/output"
MIN_BODY = int(os.environ.get("MIN_BODY_CHARS", "80"))


def clean(frame):
    frame = frame.dropna(subset=["body", "summary"])
    frame = frame.assign(body=frame["body"].str.replace(r"\s+", " ", regex=True).str.strip())
    frame = frame[frame["body"].str.len() >= MIN_BODY]
    return frame[["ticket_id", "body", "summary"]].drop_duplicates("ticket_id")


train = clean(pd.read_json(os.path.join(IN, "tickets-train", "tickets-train.jsonl"), lines=True))
test = clean(pd.read_csv(os.path.join(IN, "tickets-holdout", "holdout-tickets.csv")))
train = train[~train["ticket_id"].isin(test["ticket_id"])]

for channel, frame, name in (("training", train, "train.jsonl"), ("testing", test, "test.jsonl")):
    os.makedirs(os.path.join(OUT, channel), exist_ok=True)
    frame.to_json(os.path.join(OUT, channel, name), orient="records", lines=True)
print(f"training: {len(train)} tickets, testing: {len(test)} tickets")
