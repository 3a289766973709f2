"""Streamlit building blocks shared by the pages: each reads widgets and calls the core."""
