"""Runnable history of neural networks: each milestone's idea as a small, real experiment."""
