"""Datasets: the table of what the app offers and the loader. See `registry.py`."""

from playground.datasets.dataset import Dataset, DatasetError
from playground.datasets.registry import DATASETS, DatasetInfo, load_dataset

__all__ = ["DATASETS", "Dataset", "DatasetError", "DatasetInfo", "load_dataset"]
