"""User text (titles, column names, messages quoting them) shown as text, never as markup.

Streamlit renders the body of `st.markdown`, `st.caption`, `st.error` and friends as Markdown,
so a title like `[Log in again](https://evil.example)` would become a live link, and
`:red[...]` or `$...$` would restyle the page. `plain` escapes every character Markdown gives a
meaning to; the text then reads exactly as typed.

Example:

    st.caption(f"**{plain(spec.title)}** · dataset: circle")
"""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")


def plain(text) -> str:
    """`text` with each Markdown-significant character backslash-escaped, line breaks as spaces."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).splitlines()))
