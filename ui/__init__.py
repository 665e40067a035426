"""Streamlit sections the app composes: each reads geo/ and layers/, none computes itself."""
