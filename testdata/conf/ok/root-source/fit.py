"""Keep the 20,000 most frequent tokens as the vocabulary.

Input: /opt/ml/input/data/tokens-Count-train/counts.tsv (chained from tokens-Count, output "train")
Model: /opt/ml/model/vocabulary.txt
"""
with open("/opt/ml/input/data/tokens-Count-train/counts.tsv", encoding="utf-8") as f:
    tokens = [line.split("\t", 1)[0] for line in f][:20000]
with open("/opt/ml/model/vocabulary.txt", "w", encoding="utf-8") as out:
    out.write("\n".join(tokens) + "\n")
