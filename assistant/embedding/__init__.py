"""Embedders (local sentence-transformers, ONNX Runtime, remote servers), offline model install and the
persistent vector cache."""
