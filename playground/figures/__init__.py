"""Plotly figure builders for the live views. Pure functions: data in, figure out."""
