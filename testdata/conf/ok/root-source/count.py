"""Count tokens of the raw reviews.

Input:  /opt/ml/processing/input/reviews/*.txt   (static, dataFiles "reviews")
Output: /opt/ml/processing/output/train/counts.tsv (channel "train")
The working directory is the whole repository (source_directory ".").
"""
import collections
import glob
import os

counts = collections.Counter()
for name in glob.glob("/opt/ml/processing/input/reviews/*.txt"):
    with open(name, encoding="utf-8") as f:
        counts.update(f.read().lower().split())
os.makedirs("/opt/ml/processing/output/train", exist_ok=True)
with open("/opt/ml/processing/output/train/counts.tsv", "w", encoding="utf-8") as out:
    for token, n in counts.most_common():
        out.write(f"{token}\t{n}\n")
