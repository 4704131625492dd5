"""Split credit applications into train/ and validation/ outputs."""
import csv
import os

SRC = "/opt/ml/processing/input/applications/applications.csv"
OUT = "/opt/ml/processing/output"

with open(SRC) as f:
    rows = list(csv.reader(f))
header, rows = rows[0], rows[1:]
cut = int(len(rows) * 0.8)
for name, part in (("train", rows[:cut]), ("validation", rows[cut:])):
    os.makedirs(os.path.join(OUT, name), exist_ok=True)
    with open(os.path.join(OUT, name, "data.csv"), "w", newline="") as f:
        csv.writer(f).writerows([header] + part)
