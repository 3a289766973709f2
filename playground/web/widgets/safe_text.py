"""User text (titles, column names, messages quoting them) shown as text, never as markup.

Streamlit renders the body of `st.markdown`, `st.caption`, `st.error` and friends as Markdown,
so a title like `[Log in again](https://evil.example)` would become a live link, and
`:red[...]` or `$...$` would restyle the page. `plain` escapes every character Markdown gives a
meaning to, and puts an invisible word joiner (U+2060) inside "://", "www." and "@", which
GitHub-flavoured Markdown would otherwise turn into links even when escaped. The text then
reads as typed.

Example:

    st.caption(f"**{plain(spec.title)}** · dataset: circle")
"""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def plain(text) -> str:
    """`text` with each Markdown-significant character backslash-escaped, line breaks as spaces."""
    unlinked = _AUTOLINK.sub(WORD_JOINER, " ".join(str(text).splitlines()))
    return _MARKDOWN.sub(r"\\\1", unlinked)
