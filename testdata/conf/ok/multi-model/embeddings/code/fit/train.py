"""Factorise the co-occurrence counts into dense item vectors.

Input: /opt/ml/input/data/embeddings-Prepare-train/  (chained from embeddings-Prepare)
Model: /opt/ml/model/{item_vectors.npy, items.csv, code/}
"""
import argparse
import os
import shutil

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD

DATA = "/opt/ml/input/data/embeddings-Prepare-train"
HERE = os.path.dirname(os.path.abspath(__file__))

parser = argparse.ArgumentParser()
parser.add_argument("--dimensions", type=int, default=32)
parser.add_argument("--n_iter", type=int, default=5)
args = parser.parse_args()

counts = sparse.load_npz(os.path.join(DATA, "cooccurrence.npz"))
svd = TruncatedSVD(n_components=args.dimensions, n_iter=args.n_iter, random_state=7)
vectors = svd.fit_transform(counts.log1p())
vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)

np.save("/opt/ml/model/item_vectors.npy", vectors.astype("float32"))
shutil.copy(os.path.join(DATA, "items.csv"), "/opt/ml/model/items.csv")
shutil.copytree(HERE, "/opt/ml/model/code/fit", ignore=shutil.ignore_patterns("__pycache__", "train.py"))
shutil.copy(os.path.join(HERE, "requirements.txt"), "/opt/ml/model/code/requirements.txt")
print(f"explained variance: {svd.explained_variance_ratio_.sum():.3f}")
