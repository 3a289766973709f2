"""A first look at the data: the 2-D points coloured by class, or a grid of sample images."""

from __future__ import annotations

import numpy as np
import plotly.express as px
import plotly.graph_objects as go

from playground.datasets.dataset import Dataset, DatasetKind
from playground.figures.decision_boundary import decision_boundary
from playground.figures.figure_text import figure_text
from playground.figures.style import compact


def dataset_preview(dataset: Dataset, count: int = 24, height: int = 360, columns: int = 8) -> go.Figure:
    """The training points (2-D data, `height` tall), or the first `count` images in rows of `columns`."""
    if dataset.kind == DatasetKind.PLANE:
        return decision_boundary(
            None, dataset.bounds, dataset.x_train, dataset.y_train, dataset.task, dataset.num_classes, height=height
        )
    if dataset.kind == DatasetKind.IMAGE:
        images = np.asarray(dataset.x_train[:count, :, :, 0])
        fig = px.imshow(
            images,
            facet_col=0,
            facet_col_wrap=columns,
            binary_string=True,
            facet_col_spacing=0.01,
            facet_row_spacing=0.08,
        )
        for i, annotation in enumerate(fig.layout.annotations):
            annotation.text = figure_text(dataset.class_names[int(dataset.y_train[i])])
        fig.update_xaxes(showticklabels=False)
        fig.update_yaxes(showticklabels=False)
        return compact(fig, height)
    fig = px.scatter(
        x=dataset.x_train[:, 0], y=dataset.x_train[:, 1] if dataset.x_train.shape[1] > 1 else dataset.y_train
    )
    return compact(fig, height)
