"""Decodes every file under a folder (by default pydicom's test_files) with pydicom, as the reference for DicomPydicomComparisonTest.

Usage: /usr/bin/python3 pydicom_decode.py OUT_DIR [ROOT]   (ROOT defaults to pydicom's test_files)
Writes OUT_DIR/manifest.tsv, one line per file:
  status  relative_path  frames  rows  columns  samples  data_file  reason
status is "ok" (pixels decoded), "no_pixels" (no pixel data element) or "unreadable" (pydicom cannot read the
file or its pixels). For "ok", data_file holds the values after apply_modality_lut as float64 little endian,
frames x rows x columns x samples, row-major with a pixel's samples side by side.
"""
import os
import sys
import warnings

import numpy as np
import pydicom
import pydicom.data
from pydicom.pixel_data_handlers.util import apply_modality_lut


def one_line(text):
    return " ".join(str(text).split())[:300]


def main():
    # pydicom warns about odd files on stderr; the manifest already records what happened to each
    warnings.simplefilter("ignore")
    out = sys.argv[1]
    root = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(pydicom.data.__file__), "test_files")
    files = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)
    with open(os.path.join(out, "manifest.tsv"), "w") as manifest:
        manifest.write(root + "\n")
        for index, rel in enumerate(files):
            row = decode(os.path.join(root, rel), os.path.join(out, "%04d.f64" % index))
            manifest.write("\t".join([row[0], rel] + [str(x) for x in row[1:]]) + "\n")


def decode(path, data_file):
    try:
        ds = pydicom.dcmread(path)
    except Exception as e:  # every failure is a result here, not an error of the script
        return ["unreadable", 0, 0, 0, 0, "-", one_line("dcmread: %s" % e)]
    if not any(k in ds for k in ("PixelData", "FloatPixelData", "DoubleFloatPixelData")):
        return ["no_pixels", 0, 0, 0, 0, "-", "no pixel data element"]
    try:
        values = apply_modality_lut(ds.pixel_array, ds).astype("<f8")
    except Exception as e:
        return ["unreadable", 0, 0, 0, 0, "-", one_line("pixel_array: %s" % e)]
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    samples = int(ds.get("SamplesPerPixel", 1))
    rows, columns = int(ds.Rows), int(ds.Columns)
    if values.size != frames * rows * columns * samples:
        return ["unreadable", 0, 0, 0, 0, "-", "unexpected shape %s" % (values.shape,)]
    values.tofile(data_file)
    return ["ok", frames, rows, columns, samples, os.path.basename(data_file), "-"]


if __name__ == "__main__":
    main()
