"""Peer side of the `serve` workload: the minimal FastAPI app a Python user writes to serve a model.

    SERVE_MODEL_DIR=OUT_DIR uvicorn --app-dir bench/peers serve_fastapi:app \\
        --host 127.0.0.1 --port PORT --workers 2

OUT_DIR is what `serve_train.py` wrote: the fitted scikit-learn pipeline (`pipeline.joblib`) and
the input columns with their JSON types (`fields.json`), from which the request model is built,
so FastAPI (pydantic) checks each record's types as kiln checks rows against the input schema.

Routes: `POST /predict` takes one record (`{"island": "Dream", "bill_length_mm": 45.1, ...}`,
`null` for a missing value) and answers `{"prediction": label, "probabilities": {class: p}}`
(kiln answers a label and the class probabilities too); `GET /ping` answers `ok`. The handler is
`async def`: scoring one row is short CPU work, and a plain `def` handler would add a hop to
the thread pool on every request.
"""

import json
import os
from typing import Optional

import joblib
import pandas as pd
from fastapi import FastAPI
from pydantic import create_model

MODEL_DIR = os.environ["SERVE_MODEL_DIR"]
PIPELINE = joblib.load(os.path.join(MODEL_DIR, "pipeline.joblib"))
with open(os.path.join(MODEL_DIR, "fields.json")) as f:
    FIELDS = json.load(f)
COLUMNS = [fd["name"] for fd in FIELDS]
PYTHON_TYPES = {"string": str, "integer": int, "boolean": bool, "number": float}
Record = create_model(
    "Record", **{fd["name"]: (Optional[PYTHON_TYPES[fd["type"]]], None) for fd in FIELDS}
)
CLASSES = [str(c) for c in PIPELINE.classes_]
# Numbers as float64 (a missing one becomes NaN, which the imputer fills); categories as
# objects, a missing one NaN, the value the encoder saw for it in training (without the cast a
# one-row column holding only NaN would be a float column, which the encoder rejects).
DTYPES = {fd["name"]: "object" if fd["type"] == "string" else "float64" for fd in FIELDS}
MISSING = float("nan")

app = FastAPI()


@app.get("/ping")
async def ping():
    return "ok"


@app.post("/predict")
async def predict(record: Record):
    values = record.model_dump()
    row = pd.DataFrame(
        [[MISSING if values[c] is None else values[c] for c in COLUMNS]], columns=COLUMNS
    ).astype(DTYPES)
    # One `predict_proba` call gives both the label and the probabilities.
    proba = PIPELINE.predict_proba(row)[0]
    best = int(proba.argmax())
    return {"prediction": CLASSES[best], "probabilities": dict(zip(CLASSES, map(float, proba)))}
