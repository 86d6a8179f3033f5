"""Embedders, the FAISS and BM25 indexes, and the hybrid retriever (the second layer)."""
