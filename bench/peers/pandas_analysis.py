"""Peer for the analysis bench: read long-csv predictions (docs/exports.md) with pandas and
flag PIEs (modal label per variant and image, ties to the largest label, compared with
dense's). Prints one JSON line: seconds, rows, PIEs per variant."""
import json
import sys
import time

import pandas as pd

start = time.perf_counter()
df = pd.read_csv(sys.argv[1], usecols=["variant", "image_index", "predicted_label"])
counts = df.groupby(["variant", "image_index", "predicted_label"]).size().reset_index(name="n")
counts = counts.sort_values(["variant", "image_index", "n", "predicted_label"], ascending=[True, True, False, False])
modal = counts.drop_duplicates(["variant", "image_index"])
dense = modal[modal["variant"] == "dense"].set_index("image_index")["predicted_label"]
is_pie = modal["predicted_label"].to_numpy() != dense.reindex(modal["image_index"]).to_numpy()
modal = modal.assign(is_pie=is_pie)
pies = modal[modal["variant"] != "dense"].groupby("variant")["is_pie"].sum()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rows": len(df), "pies": {k: int(v) for k, v in pies.items()}, "pandas": pd.__version__}))
