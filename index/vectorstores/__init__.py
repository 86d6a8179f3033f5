"""Where the chunk vectors live: FAISS in the data directory (the default) or PostgreSQL with pgvector
(``factory.create_index_store`` picks one from the settings)."""
