"""The advice's reports.

In: the advice's JSON form (`Advice.to_dict()`, or a saved advice file as read), so a saved
advice renders the same as a fresh one; each renderer reads it once into typed views
(`advisor.report.views`).
Out: the terminal text, the advice file's JSON, Markdown (pull-request comments, CI
summaries) and a self-contained HTML page; `advisor.report.formats` lists them.
"""
