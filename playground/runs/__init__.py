"""Saved runs and hyperparameter sweeps: an SQLite store, what a run records, and sweep grids."""
