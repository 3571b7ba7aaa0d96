"""kg-build: curated facts from regional-development news -> validated, linked RDF."""

__version__ = "0.1.0"
