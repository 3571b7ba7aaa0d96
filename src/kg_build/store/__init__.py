"""Stage 6: stores. The embedded on-disk Oxigraph store, and loading into SPARQL servers."""
