"""The web server's own routes, beside Streamlit's (mounted by `app.py` with `st.App`)."""
