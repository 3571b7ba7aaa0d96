"""HTML for people, from the store: what each page shows (view.py), written by Jinja2 templates
with autoescaping (render.py, templates/), shared by `kg serve` and anything else that writes
pages."""
