"""Split the red wine ratings into scaled train and test sets.

Input:  /opt/ml/processing/input/ratings/winequality-red.csv  (static, dataFiles "ratings")
Output: /opt/ml/processing/output/train/{train,test}/         (channel "train")
"""
import os

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

OUT = "/opt/ml/processing/output/train"

wines = pd.read_csv("/opt/ml/processing/input/ratings/winequality-red.csv", sep=";")
x, y = wines.drop(columns="quality").astype("float64"), wines["quality"].astype("float64")
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=7)
scaler = StandardScaler().fit(x_train)
for split, xs, ys in (("train", x_train, y_train), ("test", x_test, y_test)):
    os.makedirs(os.path.join(OUT, split), exist_ok=True)
    np.savetxt(os.path.join(OUT, split, f"x_{split}.csv"), scaler.transform(xs), delimiter=",", fmt="%.6f")
    np.savetxt(os.path.join(OUT, split, f"y_{split}.csv"), ys.to_numpy(), delimiter=",", fmt="%.1f")
