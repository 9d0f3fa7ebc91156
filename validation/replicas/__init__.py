"""Mechanism-only replicas of published property packages, exported as propkg ONNX models."""
