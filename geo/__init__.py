"""Klyngested analysis library: layers, catchments, indicators, exports.

No Streamlit import anywhere in this package; the app and the CLI both sit on top of it.
"""

__version__ = "0.1.0"
