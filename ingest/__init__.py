"""Loading documents and turning them into chunks (the bottom layer)."""

from sikkerby.ingest.chunk import Chunk
from sikkerby.ingest.errors import IngestError
from sikkerby.ingest.pipeline import Ingestor, IngestResult

__all__ = ["Chunk", "IngestError", "Ingestor", "IngestResult"]
