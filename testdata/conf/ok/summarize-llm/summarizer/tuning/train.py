"""Fine-tune a sequence-to-sequence model on the prepared tickets.

Inputs, chained from tickets-Prepare (one channel per output):
  /opt/ml/input/data/tickets-Prepare-training/train.jsonl
  /opt/ml/input/data/tickets-Prepare-testing/test.jsonl
The model, its tokenizer and the serving code (code/) go to /opt/ml/model/.
"""
import argparse
import os
import shutil

from datasets import load_dataset
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, DataCollatorForSeq2Seq, Seq2SeqTrainer, Seq2SeqTrainingArguments

DATA, HERE = "/opt/ml/input/data", os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument("--base_model", default="google/flan-t5-base")
parser.add_argument("--epochs", type=int, default=1)
parser.add_argument("--learning_rate", type=float, default=3e-4)
parser.add_argument("--per_device_batch_size", type=int, default=8)
args = parser.parse_args()

tokenizer = AutoTokenizer.from_pretrained(args.base_model)
model = AutoModelForSeq2SeqLM.from_pretrained(args.base_model)


def encode(batch):
    inputs = tokenizer(["summarize: " + b for b in batch["body"]], max_length=512, truncation=True)
    inputs["labels"] = tokenizer(text_target=batch["summary"], max_length=96, truncation=True)["input_ids"]
    return inputs


files = {"train": f"{DATA}/tickets-Prepare-training/train.jsonl", "test": f"{DATA}/tickets-Prepare-testing/test.jsonl"}
data = load_dataset("json", data_files=files).map(encode, batched=True, remove_columns=["ticket_id", "body", "summary"])
settings = Seq2SeqTrainingArguments(output_dir="/tmp/checkpoints", num_train_epochs=args.epochs, learning_rate=args.learning_rate,
                                    per_device_train_batch_size=args.per_device_batch_size, evaluation_strategy="epoch", bf16=True)
Seq2SeqTrainer(model=model, args=settings, train_dataset=data["train"], eval_dataset=data["test"],
               data_collator=DataCollatorForSeq2Seq(tokenizer, model=model)).train()
model.save_pretrained("/opt/ml/model")
tokenizer.save_pretrained("/opt/ml/model")
shutil.copytree(HERE, "/opt/ml/model/code/tuning", ignore=shutil.ignore_patterns("__pycache__", "train.py"))
shutil.copy(os.path.join(HERE, "requirements.txt"), "/opt/ml/model/code/requirements.txt")
