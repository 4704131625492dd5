"""Count how often two items are bought in the same order.

Input:  /opt/ml/processing/input/orders/orders.parquet  (order_id, item_id)
Output: /opt/ml/processing/output/train/cooccurrence.npz and items.csv
"""
import os

import numpy as np
import pandas as pd
from scipy import sparse

OUT = "/opt/ml/processing/output/train"

orders = pd.read_parquet("/opt/ml/processing/input/orders/orders.parquet", columns=["order_id", "item_id"])
items = pd.Index(sorted(orders["item_id"].unique()), name="item_id")
baskets = sparse.csr_matrix(
    (np.ones(len(orders)), (orders["order_id"].astype("category").cat.codes, items.get_indexer(orders["item_id"]))),
)
counts = (baskets.T @ baskets).tocsr()
counts.setdiag(0)
counts.eliminate_zeros()

os.makedirs(OUT, exist_ok=True)
sparse.save_npz(os.path.join(OUT, "cooccurrence.npz"), counts)
items.to_frame(index=False).to_csv(os.path.join(OUT, "items.csv"), index=False)
print(f"{len(items)} items, {counts.nnz} co-occurring pairs")
