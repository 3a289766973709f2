"""Datasets: the table of what the app offers and the loader. See `registry.py`."""

from playground.datasets.dataset import Dataset, DatasetError
from playground.datasets.dataset_info import DatasetInfo
from playground.datasets.registry import DATASETS, load_dataset

__all__ = ["DATASETS", "Dataset", "DatasetError", "DatasetInfo", "load_dataset"]
