"""Split the raw Ames sales into scaled train and test sets.

Input:  /opt/ml/processing/input/sales/ames-sales.csv   (static, dataFiles "sales")
Output: /opt/ml/processing/output/train/{train,test}/    (channel "train")
Feature files have no header: batch transform sends them line by line.
"""
import os

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

FEATURES = ["GrLivArea", "OverallQual", "YearBuilt", "TotalBsmtSF", "GarageCars", "FullBath", "LotArea"]
OUT = "/opt/ml/processing/output/train"

sales = pd.read_csv("/opt/ml/processing/input/sales/ames-sales.csv").dropna(subset=FEATURES + ["SalePrice"])
x, y = sales[FEATURES].astype("float64"), np.log1p(sales["SalePrice"])
x_train, x_test, y_train, y_test = train_test_split(
    x, y, test_size=float(os.environ.get("TEST_FRACTION", "0.2")), random_state=20240601
)
scaler = StandardScaler().fit(x_train)

for split, xs, ys in (("train", x_train, y_train), ("test", x_test, y_test)):
    os.makedirs(os.path.join(OUT, split), exist_ok=True)
    np.savetxt(os.path.join(OUT, split, f"x_{split}.csv"), scaler.transform(xs), delimiter=",", fmt="%.6f")
    np.savetxt(os.path.join(OUT, split, f"y_{split}.csv"), ys.to_numpy(), delimiter=",", fmt="%.6f")
print(f"train rows: {len(x_train)}, test rows: {len(x_test)}")
