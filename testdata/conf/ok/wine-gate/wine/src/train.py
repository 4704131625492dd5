"""Fit a Keras regressor of the quality rating.

Input: /opt/ml/input/data/wine-Prepare-train/train/  (chained from wine-Prepare)
Model: /opt/ml/model/1/, a SavedModel; the repack step adds code/.
"""
import argparse

import numpy as np
import tensorflow as tf

DATA = "/opt/ml/input/data/wine-Prepare-train/train"

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=20)
args = parser.parse_args()

x = np.loadtxt(f"{DATA}/x_train.csv", delimiter=",", ndmin=2)
y = np.loadtxt(f"{DATA}/y_train.csv", delimiter=",")
model = tf.keras.Sequential([tf.keras.layers.Input(shape=(x.shape[1],)), tf.keras.layers.Dense(32, activation="relu"),
                             tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=args.epochs, verbose=2)
model.save("/opt/ml/model/1")
