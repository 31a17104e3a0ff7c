"""Explanation reports for coder training (`denialrisk report`): one self-contained HTML file.

build.py assembles the sections into template.html.j2: drivers.py (top drivers from the
API's explanations, context apart), examples.py (worked examples), worked_fixes.py (claim
lines before and after the top fix, with risk and rule), sections.py (outcome numbers) and
plots.py (PNGs as base64 data URIs); labels.py and text.py keep every title and sentence in
claim language. The CLI entry point is denialrisk/commands/report_html.py.
"""
