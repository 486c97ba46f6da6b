"""Finds a font with Chinese glyphs on this machine, for the PDF certificate to embed (subset).

A PDF shows Chinese only with an embedded CJK font. The server does not ship one (they weigh tens of
megabytes); it uses the operating system's: Debian's ``fonts-noto-cjk`` first (Noto Serif CJK SC, the
face closest to an official certificate), then other common CJK packages. Without any, rendering a
certificate fails with :class:`CjkFontMissing`, naming the package to install.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTCollection

# Regular and bold faces, most wanted first; a collection (.ttc) names its Simplified Chinese member.
CANDIDATES: tuple[tuple[str, str | None], ...] = (
    (
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    ),
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    ),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", None),
)
SIMPLIFIED_CHINESE_MARKERS = (" SC", "Zen Hei", "Micro Hei", "AR PL UMing CN")


class CjkFontMissing(RuntimeError):
    """No font with Chinese glyphs is installed (install Debian's fonts-noto-cjk): the machine lacks a
    package, which no request can fix; the certificate's route answers 503 with this message."""


@dataclass(frozen=True, slots=True)
class FontFace:
    """A font file, and which member of a collection to use (0 for a single font)."""

    path: Path
    index: int


@dataclass(frozen=True, slots=True)
class CjkFonts:
    regular: FontFace
    bold: FontFace


def _face(path: Path) -> FontFace:
    if path.suffix.lower() != ".ttc":
        return FontFace(path, 0)
    collection = TTCollection(str(path), lazy=True)
    for index, font in enumerate(collection.fonts):
        name = str(font["name"].getDebugName(4) or "")
        if any(marker in name for marker in SIMPLIFIED_CHINESE_MARKERS):
            return FontFace(path, index)
    return FontFace(path, 0)


@cache
def cjk_fonts() -> CjkFonts:
    """The first installed CJK font of :data:`CANDIDATES` (its bold face when there is one)."""
    for regular, bold in CANDIDATES:
        if Path(regular).is_file():
            face = _face(Path(regular))
            bold_face = _face(Path(bold)) if bold and Path(bold).is_file() else face
            return CjkFonts(face, bold_face)
    raise CjkFontMissing(
        "no CJK font is installed for the PDF certificate: install Debian's fonts-noto-cjk "
        f"(looked for {', '.join(regular for regular, _ in CANDIDATES)})"
    )
