"""Join search judgements with catalog data and item embeddings.

Inputs:
  /opt/ml/processing/input/judgements/judgements.csv   (query_id, item_id, relevance, position)
  /opt/ml/processing/input/catalog/items.csv           (item_id, price, rating)
  /opt/ml/processing/input/embeddings-Train-input-train/model.tar.gz
      the item-embeddings model, chained from step embeddings-Train
Output: /opt/ml/processing/output/train/features.csv, grouped by query
"""
import os
import tarfile

import numpy as np
import pandas as pd

IN = "/opt/ml/processing/input"
OUT = "/opt/ml/processing/output/train"

with tarfile.open(os.path.join(IN, "embeddings-Train-input-train", "model.tar.gz")) as archive:
    archive.extractall("/tmp/embeddings", members=[m for m in archive if m.name in ("item_vectors.npy", "items.csv")])
vectors = np.load("/tmp/embeddings/item_vectors.npy")
index = pd.read_csv("/tmp/embeddings/items.csv")["item_id"]
embedding = pd.DataFrame(vectors[:, :8], columns=[f"emb{i}" for i in range(8)]).assign(item_id=index)

judged = pd.read_csv(os.path.join(IN, "judgements", "judgements.csv"))
catalog = pd.read_csv(os.path.join(IN, "catalog", "items.csv"))
frame = judged.merge(catalog, on="item_id", how="left").merge(embedding, on="item_id", how="left").fillna(0)
frame = frame.sort_values(["query_id", "position"])

os.makedirs(OUT, exist_ok=True)
columns = ["relevance", "query_id", "price", "rating"] + [f"emb{i}" for i in range(8)]
frame[columns].to_csv(os.path.join(OUT, "features.csv"), index=False)
print(f"{frame['query_id'].nunique()} queries, {len(frame)} judged items")
