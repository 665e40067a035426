"""Typst in a child process of its own: one board pack laid out from a prepared folder.

`geo.report.pdf.typeset` prepares the folder and runs this file with the interpreter that runs
the app (``python -I typeset.py FOLDER TEMPLATE FONTS``). The child reads ``FOLDER/data.json``
(the pack as data) and the pictures in ``FOLDER/root/img``, writes ``FOLDER/pack.pdf`` and ends.
A process per pack because Typst keeps what it laid out in memory for its next compilations
(about 50 MB per 20-site pack, up to ten packs, in every process that made one); the child's
memory goes back when it ends. It imports only the standard library and typst, so it starts in
a fraction of a second.

Exit codes: 0 done; `TYPST_FAILED` when Typst refused the pack (its message on stderr).
"""

from __future__ import annotations

import sys
from pathlib import Path

import typst

TYPST_FAILED = 3
PDF_STANDARD = "ua-1"


def compile_pack(folder: Path, template: Path, fonts: Path) -> bytes:
    """The pack in `folder` as PDF/UA-1 bytes.

    Parameters
    ----------
    folder : Path
        Holds ``data.json``, ``root/`` (Typst's root: the pictures, nothing else) and an empty
        ``packages/`` folder (Typst's package folders: nothing is fetched).
    template : Path
        The pack's Typst template (`geo/report/boardpack/templates/pack.typ`).
    fonts : Path
        The folder holding DejaVu Sans; the system's fonts are never used.

    Raises
    ------
    typst.TypstError
        Typst could not lay out the pack.
    """
    packages = folder / "packages"
    compiler = typst.Compiler(
        root=str(folder / "root"),
        font_paths=typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=[str(fonts)]),
        ignore_system_fonts=True, sys_inputs={"data": (folder / "data.json").read_text(encoding="utf-8")},
        package_path=str(packages), package_cache_path=str(packages))
    pdf = compiler.compile(input=template.read_bytes(), format="pdf", pdf_standards=[PDF_STANDARD])
    assert isinstance(pdf, bytes)
    return pdf


def main(argv: list[str]) -> int:
    """Lay out the pack of ``argv = [FOLDER, TEMPLATE, FONTS]`` into ``FOLDER/pack.pdf``."""
    folder, template, fonts = map(Path, argv)
    try:
        pdf = compile_pack(folder, template, fonts)
    except typst.TypstError as err:
        print(err, file=sys.stderr)
        return TYPST_FAILED
    (folder / "pack.pdf").write_bytes(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
