"""Loading documents and turning them into chunks (the bottom layer)."""

from ingest.chunk import Chunk
from ingest.errors import IngestError
from ingest.pipeline import Ingestor, IngestResult

__all__ = ["Chunk", "IngestError", "Ingestor", "IngestResult"]
