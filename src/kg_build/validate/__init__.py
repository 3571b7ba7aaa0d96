"""Stage 3: check the built graph against the SHACL shapes and the source texts."""
