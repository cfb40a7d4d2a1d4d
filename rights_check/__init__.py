"""rights_check: read the usage restrictions in photo captions and metadata, and check a
planned use against them.

The public API (contract §6)::

    import rights_check as rc
    caption = rc.parse_caption(text)          # Caption: .segments .restrictions .fields .notices
    usage = rc.load_usage("usage.yaml")       # Usage; raises rc.ManifestError listing every problem
    report = rc.check(text, usage)            # Report: .verdict .findings .to_dict()

Names are imported on first use, so ``import rights_check`` (and the CLI's start-up) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "parse_caption": "caption", "parse_fields": "caption",
    "check": "api", "load_caption": "api", "read_image": "api",
    "ImageRecord": "image", "caption_of": "image",
    "load_usage": "usage", "Usage": "usage", "Publisher": "usage", "Agreement": "usage",
    "Caption": "model", "Evidence": "model", "FieldValue": "model", "Finding": "model",
    "Notice": "model", "Report": "model", "Restriction": "model", "RestrictionType": "model",
    "Segment": "model", "Verdict": "model",
    "RightsCheckError": "errors", "InputError": "errors", "ManifestError": "errors",
    "DataError": "errors",
    "LatinDetector": "detector", "LangdetectDetector": "detector",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rights_check' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"rights_check.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
