# The ALS peer of bench/recs: implicit's AlternatingLeastSquares (https://github.com/benfred/implicit) on the same
# training interactions. Input JSON: {"train": [[key, item, weight], ...], "serve": [key, ...], "n": 10,
# "params": [{"factors", "regularization", "alpha", "iterations", "seed"}, ...]}. Output JSON: one entry per params:
# {"params": {...}, "seconds": s, "recs": {key: [item, ...]}} for every served key that has training data, items the
# key already touched left out (filter_already_liked_items). Run by bench/recs/run.ts in its own virtualenv.
import json
import sys
import time

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits
from implicit.als import AlternatingLeastSquares


def main(inp_path: str, out_path: str) -> None:
    with open(inp_path) as f:
        inp = json.load(f)
    keys = sorted({k for k, _, _ in inp["train"]})
    items = sorted({i for _, i, _ in inp["train"]})
    key_index = {k: n for n, k in enumerate(keys)}
    item_index = {i: n for n, i in enumerate(items)}
    rows = np.array([key_index[k] for k, _, _ in inp["train"]], dtype=np.int32)
    cols = np.array([item_index[i] for _, i, _ in inp["train"]], dtype=np.int32)
    vals = np.array([w for _, _, w in inp["train"]], dtype=np.float32)
    # Duplicate (key, item) pairs are summed: the same implicit feedback Tessera's recommender aggregates.
    user_items = sp.csr_matrix((vals, (rows, cols)), shape=(len(keys), len(items)))
    user_items.sum_duplicates()
    serve = [k for k in inp["serve"] if k in key_index]
    ids = np.array([key_index[k] for k in serve], dtype=np.int32)
    out = []
    for p in inp["params"]:
        started = time.time()
        model = AlternatingLeastSquares(factors=p["factors"], regularization=p["regularization"], alpha=p["alpha"],
                                        iterations=p["iterations"], random_state=p["seed"], num_threads=2)
        with threadpool_limits(1, "blas"):
            model.fit(user_items, show_progress=False)
            recs, _ = model.recommend(ids, user_items[ids], N=inp["n"], filter_already_liked_items=True)
        out.append({"params": p, "seconds": time.time() - started,
                    "recs": {k: [items[j] for j in recs[n] if j >= 0] for n, k in enumerate(serve)}})
    with open(out_path, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
