"""The app's pages: scripts that `navigation.py` runs, one per page (not imported as modules)."""
