"""Explanation reports for coder training (`denialrisk report`): one self-contained HTML file.

build.py assembles the sections (sections.py, examples.py) and plots (plots.py, PNGs as
base64 data URIs) into template.html.j2; command.py is the CLI entry point.
"""
