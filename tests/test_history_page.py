"""AppTest: the History gallery lists every entry and each Run shows its result."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.history.entries import HISTORY

PAGE = str(Path(__file__).resolve().parents[1] / "playground/web/app_pages" / "history.py")


@pytest.fixture(scope="module")
def gallery():
    return AppTest.from_file(PAGE, default_timeout=180).run()


def test_gallery_lists_every_entry_with_year_and_authors(gallery):
    assert not gallery.exception
    headers = [h.value for h in gallery.subheader]
    for entry in HISTORY:
        assert any(entry.year in h and entry.title in h for h in headers)
    assert len([b for b in gallery.button if b.key and b.key.startswith("run_")]) == len(HISTORY)


@pytest.mark.parametrize(
    "key, expected",
    [
        ("perceptron", "converged after"),
        ("cognitron", "Similarity of the fields"),
        ("boltzmann", "completed exactly"),
        ("backprop", "XOR (2-2-1)**: accuracy 100%"),
    ],
)
def test_running_an_entry_shows_its_result(gallery, key, expected):
    gallery.button(key=f"run_{key}").click().run()
    assert not gallery.exception, [e.value for e in gallery.exception]
    assert not gallery.error, [e.value for e in gallery.error]
    text = " ".join(m.value for m in [*gallery.markdown, *gallery.success])
    assert expected in text


def test_perceptron_on_xor_says_it_never_converges(gallery):
    gallery.radio(key="history_gate").set_value("XOR").run()
    assert any("No line separates XOR" in e.value for e in gallery.error)
