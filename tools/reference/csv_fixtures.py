"""Tricky CSV files and what pandas.read_csv makes of them -> tests/fixtures/csv/.

For each case this writes NAME.csv (the exact bytes below) and NAME.expected.json (the columns,
dtypes and values pandas produces). kiln's CSV reader is tested against these files without
Python. Every file is read with pandas' defaults plus `na_values=["?"]` and the per-case options
listed here; both are recorded in the JSON so the test applies the same options.

The cases are what real exports contain: quoting, NA spellings, line endings, BOMs, Unicode,
numbers written in every way pandas accepts, ints that overflow i64, dates, and odd shapes (no
rows, one row, blank lines, trailing delimiters, duplicate headers). Only files pandas reads
without error or warning are included; any warning aborts the script so a fixture never records a
fallback path by accident.

JSON value encoding per column (see tests/fixtures/csv/README.md):
  int64/uint64 -> numbers; float64 -> numbers (repr precision), null for NaN, "inf"/"-inf";
  bool -> true/false; str/object -> strings, null for missing, plus "python_types" for object
  columns (ints beyond the 64-bit range are written as decimal strings there);
  datetime64[...] -> ISO 8601 strings, null for NaT.
"""

from __future__ import annotations

import json
import math
import random
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from pandas._libs.parsers import STR_NA_VALUES

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "fixtures" / "csv"
BASE_OPTIONS = {"na_values": ["?"]}


def lines(*rows: str, end: str = "\n") -> bytes:
    """Join rows with `end` after each (so the file ends with a line break)."""
    return "".join(r + end for r in rows).encode("utf-8")


def seeded_rows(seed: int, n: int, make) -> list[str]:
    rng = random.Random(seed)
    return [make(rng, i) for i in range(n)]


# --- the cases --------------------------------------------------------------------------------

CASES: list[dict] = []


def case(name: str, description: str, data: bytes, **options) -> None:
    CASES.append({"name": name, "description": description, "data": data, "options": options})


case(
    "quoted_fields",
    "Quoted fields holding the delimiter, embedded newlines, doubled quotes, an empty quoted "
    "string (NA, like an empty cell), padding kept inside quotes, quoted numbers parsed as numbers.",
    lines(
        'id,"label, quoted",amount',
        '1,"a,b",10',
        '2,"line one\nline two",20',
        '3,"she said ""hi""",30',
        '4,"",40',
        '5,"  padded  ",50',
        '6,"1,000","60"',
        '7,"""",70',
        '8,plain,80',
    ),
)

NA_TOKENS = sorted(STR_NA_VALUES) + ["?"]
case(
    "na_tokens",
    "Every default pandas NA token (including the empty cell) plus '?', in a numeric and a text "
    "column; two rows hold real values.",
    lines(
        "id,number,text",
        *[f"{i + 1},{tok},{tok}" for i, tok in enumerate(NA_TOKENS)],
        f"{len(NA_TOKENS) + 1},1.5,apple",
        f"{len(NA_TOKENS) + 2},-2,banana",
    ),
)

case(
    "na_lookalikes",
    "Strings that look like missing values but are not default NA tokens (case variants, "
    "padding, other spellings); all stay text.",
    lines(
        "id,text",
        *[
            f"{i + 1},{tok}"
            for i, tok in enumerate(
                ["na", "NONE", "Null", "nil", "-", " NA", "NA ", "NAN", "Nan", ".", "N.A.", "missing", "??"]
            )
        ],
    ),
)

case(
    "crlf_line_endings",
    "Windows line endings; a quoted field keeps its embedded CRLF.",
    lines("id,name,score", "1,alpha,0.5", '2,"two\r\nlines",1.25', "3,gamma,", "4,delta,3", end="\r\n"),
)

case(
    "utf8_bom",
    "UTF-8 byte order mark before the header; pandas strips it from the first column name.",
    b"\xef\xbb\xbf" + lines("id,name,value", "1,a,1.5", "2,b,2.5"),
)

case(
    "unicode",
    "Non-ASCII headers and values: CJK, emoji, accents, Greek, Arabic.",
    lines(
        "名前,ville é,emoji 😀,價格",
        "東京,Zürich,🚀🔥,100",
        "大阪,São Paulo,👍🏽,250",
        "Ελληνικά,Kraków,❤️,",
        "مرحبا,naïve café,🇯🇵,42",
    ),
)

case(
    "int_with_missing",
    "An integer column with empty, NA and '?' cells becomes float64 in pandas.",
    lines("id,count,complete", "1,10,5", "2,,6", "3,30,7", "4,NA,8", "5,?,9", "6,60,10"),
)

case(
    "bool_columns",
    "True/False, true/false and TRUE/FALSE parse as bool; yes/no, t/f and 1/0 do not.",
    lines(
        "title_case,lower_case,upper_case,mixed_case,yes_no,t_f,one_zero",
        "True,true,TRUE,True,yes,t,1",
        "False,false,FALSE,false,no,f,0",
        "True,false,TRUE,TRUE,yes,t,1",
        "False,true,FALSE,False,no,f,0",
    ),
)

case(
    "bool_with_missing",
    "A boolean column with missing cells: pandas keeps Python True/False objects and NaN (object).",
    lines("id,flag", "1,True", "2,", "3,False", "4,?", "5,True"),
)

case(
    "mixed_int_float",
    "Columns mixing integer and decimal text become float64; all-integer columns stay int64.",
    lines(
        "ints,int_then_float,float_then_int,whole_floats",
        "1,1,2.5,1.0",
        "2,2,3,2.0",
        "3,3.5,4,3.0",
        "4,4,5,4.0",
    ),
)

case(
    "scientific_notation",
    "Exponent forms, upper and lower case, signed exponents, leading/trailing dot.",
    lines(
        "value",
        "1e5",
        "1.5E-3",
        "-2e+10",
        "6.02214076e23",
        "1E0",
        ".5",
        "5.",
        "-.25e-2",
        "1.7976931348623157e308",
    ),
)

case(
    "negative_numbers",
    "Leading minus and plus signs; '-0' is the integer 0 in an integer column and -0.0 in a float one.",
    lines(
        "ints,floats,signed_zero",
        "-1,-1.5,-0",
        "+2,+2.5,0",
        "-3,-0.0,1",
        "4,-1e-5,2",
    ),
)

case(
    "spaces_around_numbers",
    "Spaces around numbers are tolerated by the numeric parser; spaces in text are kept.",
    lines(
        "int_padded,float_padded,text_padded",
        " 1,1.5 , a ",
        "2 , 2.5,b ",
        ' 3 ," 3.5 ", c',
    ),
)

case(
    "big_integers",
    "Integers at and beyond the 64-bit range: int64 at the bounds, uint64 above i64::MAX, Python "
    "ints (object) beyond u64::MAX or below i64::MIN, text when uint64 and negative values mix.",
    lines(
        "i64_bounds,u64_range,beyond_u64,below_i64,u64_and_negative",
        "9223372036854775807,9223372036854775808,18446744073709551616,-9223372036854775809,18446744073709551615",
        "-9223372036854775808,18446744073709551615,1,1,-1",
        "0,1,123456789012345678901234567890,-1,0",
    ),
)

case(
    "all_missing_column",
    "Columns with no values at all (empty cells, NA tokens) become float64 full of NaN.",
    lines("id,empty,tokens", "1,,NA", "2,,?", "3,,null"),
)

case("single_row", "One data row.", lines("a,b,c,d", "1,x,2.5,True"))

case("header_only", "A header and no rows: zero-length columns.", lines("a,b,c"))

case(
    "semicolon_delimiter",
    "Semicolon-separated; commas inside values need no quoting.",
    lines("id;name;value", "1;Smith, John;1.5", "2;Doe, Jane;2.5", "3;O'Brien;"),
    sep=";",
)

case(
    "semicolon_decimal_comma",
    "European export: semicolon separator and decimal comma.",
    lines("id;price;weight", "1;1,5;1000", "2;2,25;2,5", "3;-0,75;"),
    sep=";",
    decimal=",",
)

case(
    "tab_delimiter",
    "Tab-separated; spaces and commas inside values are plain text.",
    lines("id\tname\tvalue", "1\thello world\t1.5", "2\ta, b\t2", "3\t\t3.5"),
    sep="\t",
)

case(
    "blank_lines",
    "Blank and whitespace-only lines are skipped; a line of empty cells is a row of NA.",
    lines("a,b", "1,2", "", "3,4", "   ", "", "5,6", ",", "7,8", ""),
)

case(
    "trailing_delimiter",
    "Every line ends with the delimiter: an extra empty column named 'Unnamed: 3'.",
    lines("a,b,c,", "1,x,1.5,", "2,y,2.5,", "3,z,,"),
)

case(
    "duplicate_and_empty_headers",
    "Repeated header names get '.1', '.2' suffixes; an empty name becomes 'Unnamed: N'.",
    lines("a,a,,b,a", "1,2,3,4,5", "6,7,8,9,10"),
)

case(
    "no_trailing_newline",
    "The last line has no line break.",
    lines("a,b", "1,x", "2,y")[:-1],
)

case(
    "dates_and_datetimes",
    "ISO 8601 dates, datetimes with 'T' or space and fractional seconds, UTC 'Z' suffix, with "
    "missing cells; parsed via parse_dates; an unparsed date column stays text.",
    lines(
        "date,datetime,timestamp,utc,date_text",
        "2024-01-15,2024-01-15T08:30:00,2024-01-15 08:30:00.250000,2024-01-15T08:30:00Z,2024-01-15",
        "2024-02-29,2024-02-29T23:59:59,2024-02-29 23:59:59.000001,2024-02-29T23:59:59Z,2024-02-29",
        ",2023-12-31T00:00:00,,2023-12-31T00:00:00Z,",
        "1999-12-31,,1999-12-31 12:00:00.500000,,1999-12-31",
    ),
    parse_dates=["date", "datetime", "timestamp", "utc"],
)

COLOURS = ["red", "green", "blue", "yellow"]
SIZES = ["S", "M", "L"]
case(
    "low_cardinality_strings",
    "300 rows of few distinct strings (4 colours with some missing, 3 sizes): category candidates.",
    lines(
        "colour,size,value",
        *seeded_rows(
            7,
            300,
            lambda rng, i: ",".join(
                [
                    "" if rng.random() < 0.05 else rng.choice(COLOURS),
                    rng.choice(SIZES),
                    repr(round(rng.gauss(10, 3), 3)),
                ]
            ),
        ),
    ),
)

case(
    "high_cardinality_strings",
    "300 rows of unique ids and near-unique free text: text, not categories.",
    lines(
        "user_id,comment,score",
        *seeded_rows(
            11,
            300,
            lambda rng, i: ",".join(
                [
                    f"u{rng.getrandbits(48):012x}",
                    " ".join(
                        rng.choice(["fast", "slow", "good", "bad", "ok", "late", "new", "old", "odd", "fine"])
                        for _ in range(rng.randint(2, 5))
                    )
                    + f" #{i}",
                    str(rng.randint(0, 100)),
                ]
            ),
        ),
    ),
)

case(
    "infinities",
    "Infinity spellings the float parser accepts, next to ordinary numbers.",
    lines("value", "inf", "-inf", "Infinity", "-Infinity", "INF", "+inf", "1.5", "-2"),
)

case(
    "float_precision",
    "Values that need a correctly rounded parser: shortest repr, subnormals, the extremes, more "
    "digits than f64 holds, and an overflow to infinity.",
    lines(
        "value",
        "0.1",
        "0.30000000000000004",
        "1e-300",
        "2.2250738585072014e-308",
        "4.9e-324",
        "1.7976931348623157e308",
        "123456789.123456789",
        "9007199254740993",
        "0.1234567890123456789012345",
        "2.4703282292062328e-324",
        "1e400",
    ),
)

case(
    "mixed_types",
    "A column mixing numbers and words is text; the numbers keep their original spelling.",
    lines("id,mixed", "1,1", "2,x", "3,2.50", "4,", "5,1e3"),
)


# --- expected output --------------------------------------------------------------------------


def json_float(v: float):
    if math.isnan(v):
        return None
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(v)


def json_object_value(v):
    """One cell of an object/str column."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        v = int(v)
        # JSON readers turn integers outside the 64-bit range into floats; keep the digits.
        return v if -(2**63) <= v < 2**64 else str(v)
    if isinstance(v, (float, np.floating)):
        return json_float(float(v))
    if isinstance(v, str):
        return v
    raise TypeError(f"unexpected value {v!r} of type {type(v).__name__}")


def python_type(v) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return "bool"
    if isinstance(v, (int, np.integer)):
        return "int"
    if isinstance(v, (float, np.floating)):
        return "float"
    return type(v).__name__


def describe_column(name: str, s: pd.Series) -> dict:
    dtype = str(s.dtype)
    col: dict = {"name": name, "pandas_dtype": dtype}
    if dtype in ("int64", "uint64"):
        values = [int(v) for v in s]
    elif dtype == "float64":
        values = [json_float(float(v)) for v in s]
    elif dtype == "bool":
        values = [bool(v) for v in s]
    elif dtype.startswith("datetime64"):
        values = [None if pd.isna(v) else v.isoformat() for v in s]
    elif dtype in ("str", "object"):
        values = [json_object_value(v) for v in s]
        if dtype == "object":
            col["python_types"] = sorted({t for t in map(python_type, s) if t is not None})
    else:
        raise TypeError(f"column {name!r}: dtype {dtype} has no JSON encoding yet")
    col["values"] = values
    return col


def to_json(expected: dict) -> str:
    """One key per line at the top, one line per column: small files and readable diffs."""

    def dump(v) -> str:
        return json.dumps(v, ensure_ascii=False, allow_nan=False)

    out = ["{"]
    for key, value in expected.items():
        if key != "columns":
            out.append(f" {dump(key)}: {dump(value)},")
    cols = [f"  {dump(c)}" for c in expected["columns"]]
    out.append(' "columns": [')
    out.append(",\n".join(cols))
    out.append(" ]")
    out.append("}")
    return "\n".join(out) + "\n"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    # Start clean so a removed or renamed case leaves no stale files (README and
    # .gitattributes are kept).
    for p in [*OUT.glob("*.csv"), *OUT.glob("*.expected.json")]:
        p.unlink()
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"

    for c in CASES:
        path = OUT / f"{c['name']}.csv"
        path.write_bytes(c["data"])
        options = {**BASE_OPTIONS, **c["options"]}
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            df = pd.read_csv(path, **options)
        expected = {
            "file": path.name,
            "description": c["description"],
            "pandas_version": pd.__version__,
            "options": options,
            "n_rows": len(df),
            "columns": [describe_column(str(n), df[n]) for n in df.columns],
        }
        assert df.columns.is_unique, c["name"]
        text = to_json(expected)
        (OUT / f"{c['name']}.expected.json").write_bytes(text.encode("utf-8"))
        dtypes = ", ".join(col["pandas_dtype"] for col in expected["columns"])
        print(f"  {path.name}: {len(df)} rows; {dtypes}")


if __name__ == "__main__":
    main()
