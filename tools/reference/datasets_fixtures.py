"""Regenerate the bundled datasets in crates/kiln-data/datasets/.

Every table comes from a copy that ships inside an installed Python package (scikit-learn,
vega_datasets); nothing is downloaded. The script writes one CSV per dataset plus manifest.toml,
then reads each CSV back and checks that every cell parses to exactly the value the package gave,
so the committed files are byte-for-byte reproducible from the pinned requirements.

CSV conventions: header row, comma separator, UTF-8, "\\n" line endings, missing values as empty
cells. A numeric column whose values are all whole numbers is written as integers ("127"); any
other numeric column is written with Python's repr, the shortest text that round-trips to the same
float64 ("0.07871"), so `float(text)` gives back the package's value exactly.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import sklearn
import palmerpenguins
import vega_datasets
from importlib.metadata import version
from sklearn import datasets as skd

SKLEARN = f"scikit-learn {sklearn.__version__}"
VEGA = f"vega_datasets {version('vega_datasets')}"
PENGUINS = f"palmerpenguins {version('palmerpenguins')}"

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "crates" / "kiln-data" / "datasets"


def snake(name: str) -> str:
    """'mean concave points' -> 'mean_concave_points'; 'od280/od315_of...' -> 'od280_od315_of...'."""
    out = name.strip().lower()
    for ch in " /-()":
        out = out.replace(ch, "_")
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_")


def format_column(values: list) -> list[str]:
    """Text for one column: '' for missing, integers when every value is whole, else repr."""
    present = [v for v in values if v is not None]
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present)
    if not numeric:
        return ["" if v is None else str(v) for v in values]
    whole = all(math.isfinite(float(v)) and float(v).is_integer() and abs(v) < 2**53 for v in present)
    if whole:
        return ["" if v is None else str(int(v)) for v in values]
    return ["" if v is None else repr(float(v)) for v in values]


def write_table(path: Path, header: list[str], columns: list[list]) -> None:
    """Write columns (lists of Python values, None = missing) and verify the round trip."""
    n = len(columns[0])
    assert all(len(c) == n for c in columns), path
    texts = [format_column(c) for c in columns]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for i in range(n):
        writer.writerow([t[i] for t in texts])
    path.write_bytes(buf.getvalue().encode("utf-8"))

    # Read back and compare every cell with the value it came from.
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == header, path
    assert len(rows) == n + 1, path
    for j, col in enumerate(columns):
        for i, v in enumerate(col):
            cell = rows[i + 1][j]
            if v is None:
                assert cell == "", (path, i, j)
            elif isinstance(v, str):
                assert cell == v, (path, i, j)
            else:
                assert float(cell) == float(v), (path, i, j, cell, v)


def bunch_columns(data, feature_names, target, target_names=None) -> tuple[list[str], list[list]]:
    header = [snake(n) for n in feature_names]
    columns = [[float(x) for x in data[:, j]] for j in range(data.shape[1])]
    if target_names is None:
        columns.append([float(t) for t in target])
    else:
        columns.append([str(target_names[int(t)]) for t in target])
    return header, columns


def iris():
    b = skd.load_iris()
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    header, cols = bunch_columns(b.data, names, b.target, b.target_names)
    return header + ["species"], cols


def breast_cancer():
    b = skd.load_breast_cancer()
    # scikit-learn codes 0 = malignant, 1 = benign; target_names keeps that order.
    assert list(b.target_names) == ["malignant", "benign"]
    header, cols = bunch_columns(b.data, b.feature_names, b.target, b.target_names)
    return header + ["diagnosis"], cols


def diabetes():
    b = skd.load_diabetes(scaled=False)
    header, cols = bunch_columns(b.data, b.feature_names, b.target)
    return header + ["progression"], cols


def wine():
    b = skd.load_wine()
    header, cols = bunch_columns(b.data, b.feature_names, b.target, b.target_names)
    return header + ["cultivar"], cols


def auto_mpg():
    src = Path(vega_datasets.__file__).parent / "_data" / "cars.json"
    records = json.loads(src.read_text(encoding="utf-8"))
    fields = [
        ("name", "Name"),
        ("mpg", "Miles_per_Gallon"),
        ("cylinders", "Cylinders"),
        ("displacement", "Displacement"),
        ("horsepower", "Horsepower"),
        ("weight", "Weight_in_lbs"),
        ("acceleration", "Acceleration"),
        ("model_year", "Year"),
        ("origin", "Origin"),
    ]
    header = [f for f, _ in fields]
    columns = []
    for field, key in fields:
        col = [r.get(key) for r in records]
        if field == "model_year":
            # Stored as "1970-01-01"; only the year is data.
            col = [int(v[:4]) for v in col]
        columns.append(col)
    return header, columns


def penguins():
    src = Path(palmerpenguins.__file__).parent / "data" / "penguins.csv"
    with src.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    columns = []
    for j, name in enumerate(header):
        col = [None if r[j] == "NA" else r[j] for r in rows[1:]]
        if name.endswith(("_mm", "_g")) or name == "year":
            col = [None if v is None else (int(v) if name == "year" else float(v)) for v in col]
        columns.append(col)
    return header, columns


DATASETS = [
    {
        "name": "iris",
        "build": iris,
        "task": "multiclass",
        "target": "species",
        "description": "Fisher's iris flowers: four sepal/petal measurements (cm), three species.",
        "source": f"{SKLEARN} sklearn/datasets/data/iris.csv (Fisher 1936, via UCI ML Repository)",
        "licence": "CC BY 4.0 (UCI Machine Learning Repository); scikit-learn's copy is BSD-3-Clause",
    },
    {
        "name": "breast_cancer",
        "build": breast_cancer,
        "task": "binary",
        "target": "diagnosis",
        "description": "Breast Cancer Wisconsin (Diagnostic): 30 cell-nucleus features, malignant vs benign.",
        "source": f"{SKLEARN} sklearn/datasets/data/breast_cancer.csv (Wolberg, Street, Mangasarian 1995, via UCI)",
        "licence": "CC BY 4.0 (UCI Machine Learning Repository); scikit-learn's copy is BSD-3-Clause",
    },
    {
        "name": "diabetes",
        "build": diabetes,
        "task": "regression",
        "target": "progression",
        "description": "Diabetes (Efron et al. 2004), raw unscaled: ten baseline variables, disease progression after one year.",
        "source": f"{SKLEARN} sklearn/datasets/data/diabetes_data_raw.csv.gz + diabetes_target.csv.gz (load_diabetes(scaled=False))",
        "licence": "No licence stated by the original authors (Efron, Hastie, Johnstone, Tibshirani 2004); redistributed in scikit-learn under BSD-3-Clause",
    },
    {
        "name": "wine",
        "build": wine,
        "task": "multiclass",
        "target": "cultivar",
        "description": "Wine recognition: 13 chemical measurements of Italian wines from three cultivars.",
        "source": f"{SKLEARN} sklearn/datasets/data/wine_data.csv (Forina et al., via UCI ML Repository)",
        "licence": "CC BY 4.0 (UCI Machine Learning Repository); scikit-learn's copy is BSD-3-Clause",
    },
    {
        "name": "auto_mpg",
        "build": auto_mpg,
        "task": "regression",
        "target": "mpg",
        "description": "Auto MPG cars 1970-1982: fuel economy with engine and body measurements; missing mpg and horsepower cells, categorical origin.",
        "source": f"{VEGA} vega_datasets/_data/cars.json (StatLib, Donoho & Ramos 1982; same table as UCI Auto MPG, original 406-row version)",
        "licence": "No licence stated by StatLib; UCI Machine Learning Repository distributes Auto MPG under CC BY 4.0; vega_datasets package is MIT",
    },
    {
        "name": "penguins",
        "build": penguins,
        "task": "multiclass",
        "target": "species",
        "description": "Palmer Archipelago penguins (2007-2009): bill, flipper and body-mass measurements, island and sex, three species; missing measurements and sex.",
        "source": f"{PENGUINS} palmerpenguins/data/penguins.csv (Gorman, Williams & Fraser 2014, Palmer Station LTER; Horst, Hill & Gorman 2020)",
        "licence": "CC0 1.0 (palmerpenguins data); the Python package is MIT",
    },
]


def toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = [
        "# Bundled datasets. Regenerated by tools/reference/datasets_fixtures.py; see README.md.\n"
    ]
    for spec in DATASETS:
        header, columns = spec["build"]()
        assert spec["target"] in header, spec["name"]
        file = f"{spec['name']}.csv"
        write_table(OUT / file, header, columns)
        print(f"  {file}: {len(columns[0])} rows x {len(header)} columns")
        manifest.append("\n[[dataset]]\n")
        manifest.append(f"name = {toml_str(spec['name'])}\n")
        manifest.append(f"file = {toml_str(file)}\n")
        manifest.append(f"task = {toml_str(spec['task'])}\n")
        manifest.append(f"target = {toml_str(spec['target'])}\n")
        manifest.append(f"rows = {len(columns[0])}\n")
        manifest.append(f"columns = {len(header)}\n")
        manifest.append(f"description = {toml_str(spec['description'])}\n")
        manifest.append(f"source = {toml_str(spec['source'])}\n")
        manifest.append(f"licence = {toml_str(spec['licence'])}\n")
    (OUT / "manifest.toml").write_bytes("".join(manifest).encode("utf-8"))


if __name__ == "__main__":
    main()
