"""Aggregate till receipts into daily unit sales per store.

Inputs:  /opt/ml/processing/input/receipts/*.csv   (every file under the S3 prefix)
         /opt/ml/processing/input/calendar/calendar.csv
Output:  /opt/ml/processing/output/daily/sales.csv  (channel "daily")
"""
import glob
import os

import holidays
import pandas as pd

IN = "/opt/ml/processing/input"
OUT = "/opt/ml/processing/output/daily"

receipts = pd.concat(pd.read_csv(p, parse_dates=["sold_at"]) for p in sorted(glob.glob(f"{IN}/receipts/*.csv")))
daily = receipts.assign(date=receipts["sold_at"].dt.normalize()).groupby(["store_id", "date"], as_index=False)["units"].sum()

calendar = pd.read_csv(f"{IN}/calendar/calendar.csv", parse_dates=["date"])
daily = daily.merge(calendar, on="date", how="left")
daily["holiday"] = daily["date"].isin(pd.to_datetime(list(holidays.country_holidays("US", years=range(2023, 2026))))).astype(int)

os.makedirs(OUT, exist_ok=True)
daily.sort_values(["store_id", "date"]).to_csv(os.path.join(OUT, "sales.csv"), index=False)
print(f"{daily['store_id'].nunique()} stores, {len(daily)} store-days")
