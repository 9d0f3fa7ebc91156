"""Trained propkg models shipped as ONNX files, with ``manifest.json`` (sha256 of each file)."""

from pathlib import Path

#: folder holding the shipped ``*.onnx`` files and ``manifest.json``
MODEL_DIR = Path(__file__).resolve().parent
