"""The raw metadata blocks found in an image file, before any of them is interpreted.

The container readers (``containers.py`` and one module per format) fill a ``Blocks``; the IIM, EXIF, XMP and C2PA
decoders turn its parts into field values. ``where`` names the block's place in the file
(``app13#2``, ``exif:33723``, ``png:zTXt:Raw profile type iptc``, ``afcp``, ``sidecar``) so
every value can say where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Notice


@dataclass(slots=True)
class Blocks:
    format: str
    """Sniffed container: jpeg, tiff, png, webp, heif, avif or xmp (a lone sidecar)."""
    iptc: list[tuple[str, bytes]] = field(default_factory=list)
    """IIM streams (sequences of 0x1C datasets), in file order; APP13 resources split over
    several segments are already joined."""
    exif: list[tuple[str, bytes]] = field(default_factory=list)
    """TIFF-structured EXIF data (starting with II*\\0 or MM\\0*)."""
    xmp: list[tuple[str, bytes]] = field(default_factory=list)
    """XMP packets as bytes (any UTF encoding), standard packets first."""
    xmp_extended: list[tuple[str, bytes]] = field(default_factory=list)
    """Extended XMP, reassembled from its chunks in offset order (one entry per GUID)."""
    jumbf: list[tuple[str, bytes]] = field(default_factory=list)
    """JUMBF superboxes (C2PA manifests), APP11 segments joined."""
    text: list[tuple[str, str]] = field(default_factory=list)
    """Plain text chunks (PNG tEXt/iTXt keywords such as Title, Copyright, Description)."""
    notices: list[Notice] = field(default_factory=list)
    sha256: str | None = None
    """SHA-256 of the file, when it was small enough to be read whole."""
