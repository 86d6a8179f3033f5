"""The PDFs an answer cites, opened at the cited page: ``/kilde/<n>.pdf#page=<p>`` serves the n-th
document of the index when it is a PDF in the configured corpus. Read-only, by number (no file name or
path in the address), and only files that are in the index: anything else is 404."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from sikkerby.assistant.answer import Citation
from sikkerby.ingest.loaders import find_files

log = logging.getLogger(__name__)

ROUTE = "/kilde/{number:int}.pdf"
#: the browser's PDF viewer runs as a plugin: the app's policy (object-src 'none') would block it
PDF_POLICY = "default-src 'none'; object-src 'self'; plugin-types application/pdf; frame-ancestors 'self'"


class PdfPages:
    """The indexed documents that are PDFs, found where the index was built from."""

    def __init__(self, documents: Sequence[str], corpus: Sequence[Path], *, follow_symlinks: bool = False) -> None:
        self.documents = tuple(documents)
        indexed = {name: i for i, name in enumerate(self.documents) if name.lower().endswith(".pdf")}
        self.files: dict[int, Path] = {}
        if indexed:
            files, _skipped = find_files(list(corpus), follow_symlinks=follow_symlinks)
            for path in files:
                number = indexed.get(path.name)
                if number is not None and number not in self.files and path.is_file():
                    self.files[number] = path
        log.info("%d of %d indexed documents are PDFs that can be opened", len(self.files), len(self.documents))

    def link(self, citation: Citation) -> str | None:
        """The address of the cited page, relative to the app, or None when it is not a PDF here."""
        for number, path in self.files.items():
            if path.name == citation.document:
                return f"kilde/{number}.pdf#page={max(citation.page, 1)}"
        return None

    async def serve(self, request: Request) -> Response:
        path = self.files.get(request.path_params["number"])
        if path is None or not path.is_file():
            return JSONResponse({"detail": "Ikke fundet."}, status_code=404)
        return FileResponse(
            path,
            media_type="application/pdf",
            headers={"content-disposition": "inline", "content-security-policy": PDF_POLICY},
        )
