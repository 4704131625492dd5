"""Train a TF-IDF + logistic regression sentiment classifier.

Input: /opt/ml/input/data/reviews/reviews-2024-05.csv  (columns: text, label)
Model: /opt/ml/model/model.joblib. No serving code here: the repack steps
add sentiment/src/ as code/ to the model archive.
"""
import argparse
import os

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

parser = argparse.ArgumentParser()
parser.add_argument("--C", type=float, default=1.0)
parser.add_argument("--max_features", type=int, default=20000)
args = parser.parse_args()

reviews = pd.read_csv(os.path.join("/opt/ml/input/data/reviews", "reviews-2024-05.csv")).dropna(subset=["text", "label"])
model = make_pipeline(
    TfidfVectorizer(ngram_range=(1, 2), max_features=args.max_features, sublinear_tf=True),
    LogisticRegression(C=args.C, max_iter=1000),
)
model.fit(reviews["text"], reviews["label"])
joblib.dump(model, "/opt/ml/model/model.joblib")
print(f"trained on {len(reviews)} reviews, classes {list(model.classes_)}")
