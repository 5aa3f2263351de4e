#!/usr/bin/env python3
"""Run PassportEye's read_mrz on each image of a JSON-lines manifest, one JSON line out per image.

Usage: read_mrz.py MANIFEST IMAGE_DIR

Each manifest line is an object with at least "file" (a path relative to IMAGE_DIR).
Output lines are in manifest order; see README.md for their format.
"""
import os

# One thread everywhere, set before numpy/scipy/skimage load. OMP_THREAD_LIMIT is the one
# Debian's tesseract (built with OpenMP) obeys; the environment is inherited by its subprocess.
for _var in ("OMP_NUM_THREADS", "OMP_THREAD_LIMIT", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

# passporteye 2.2.2 calls skimage APIs deprecated in 0.25 (io plugin=, morphology.square) and
# removed in 0.27: hence the scikit-image pin. Keep their per-image FutureWarnings off stderr.
warnings.filterwarnings("ignore", category=FutureWarning, module=r"passporteye\.")

from passporteye import read_mrz  # noqa: E402
from passporteye.mrz.text import MRZOCRCleaner  # noqa: E402


def fields_of(mrz):
    g = lambda name: getattr(mrz, name, None)  # noqa: E731
    optional = g("personal_number")  # TD3
    if optional is None:
        optional = g("optional1")  # TD1, TD2, MRV-A, MRV-B
    return {
        "mrz_type": g("mrz_type"),
        "document_type": g("type"),
        "issuing_state": g("country"),
        "document_number": g("number"),
        "primary_identifier": g("surname"),
        "secondary_identifier": g("names"),
        "nationality": g("nationality"),
        "birth_date": g("date_of_birth"),
        "sex": g("sex"),
        "expiry_date": g("expiration_date"),
        "optional_data": optional,
        "optional_data_2": g("optional2"),  # TD1 only
        "valid_score": g("valid_score"),
        "valid": bool(g("valid")),
    }


def read_one(path):
    out = {"elapsed_ms": None, "found": False, "lines": None, "raw_text": None,
           "fields": None, "error": None}
    start = time.perf_counter()
    try:
        mrz = read_mrz(path)
    except Exception as e:  # noqa: BLE001 - one bad image must not stop the run
        out["elapsed_ms"] = (time.perf_counter() - start) * 1000.0
        out["error"] = f"{type(e).__name__}: {e}"
        return out
    out["elapsed_ms"] = (time.perf_counter() - start) * 1000.0
    if mrz is None:
        return out
    out["found"] = True
    raw = mrz.aux.get("raw_text", mrz.aux.get("text"))
    if raw is not None:
        out["raw_text"] = raw
        # The lines PassportEye parsed: tesseract's text without spaces or short lines,
        # with its per-position letter/digit fixes (MRZ.from_ocr does the same).
        out["lines"] = MRZOCRCleaner.apply(raw)
    out["fields"] = fields_of(mrz)
    return out


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: read_mrz.py MANIFEST IMAGE_DIR\n")
        return 2
    manifest, image_dir = argv[1], argv[2]
    with open(manifest, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                name = json.loads(line)["file"]
            except (ValueError, KeyError, TypeError) as e:
                sys.stderr.write(f"{manifest}:{n}: bad manifest line: {e}\n")
                return 2
            result = {"file": name, **read_one(os.path.join(image_dir, name))}
            sys.stdout.write(json.dumps(result) + "\n")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
