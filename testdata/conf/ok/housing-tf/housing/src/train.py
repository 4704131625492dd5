"""Fit a small Keras regressor on the prepared training split.

Input: /opt/ml/input/data/house-Prepare-train/train/  (chained from house-Prepare)
Model: /opt/ml/model/1/ as a SavedModel for TensorFlow Serving, plus code/
with the serving handlers, because the model is registered without repacking.
"""
import argparse
import os
import shutil

import numpy as np
import tensorflow as tf

DATA = "/opt/ml/input/data/house-Prepare-train/train"
HERE = os.path.dirname(os.path.abspath(__file__))

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--batch_size", type=int, default=32)
parser.add_argument("--learning_rate", type=float, default=0.001)
args = parser.parse_args()

x = np.loadtxt(os.path.join(DATA, "x_train.csv"), delimiter=",", ndmin=2)
y = np.loadtxt(os.path.join(DATA, "y_train.csv"), delimiter=",")

model = tf.keras.Sequential([
    tf.keras.layers.Input(shape=(x.shape[1],)),
    tf.keras.layers.Dense(64, activation="relu"),
    tf.keras.layers.Dense(32, activation="relu"),
    tf.keras.layers.Dense(1),
])
model.compile(optimizer=tf.keras.optimizers.Adam(args.learning_rate), loss="mse", metrics=["mae"])
model.fit(x, y, epochs=args.epochs, batch_size=args.batch_size, validation_split=0.1, verbose=2)

model.save("/opt/ml/model/1")
os.makedirs("/opt/ml/model/code", exist_ok=True)
for name in ("inference.py", "requirements.txt"):
    shutil.copy(os.path.join(HERE, name), os.path.join("/opt/ml/model/code", name))
