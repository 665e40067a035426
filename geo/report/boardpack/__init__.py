"""The board pack's parts: maps and charts (matplotlib, as JPEG), page contents and the Typst template.

`geo.report.pdf` puts them together into a tagged PDF (PDF/UA-1) with Typst.
"""
