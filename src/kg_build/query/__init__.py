"""Stage 7: canned SPARQL queries (grlc-style .rq files) with typed, safely bound parameters."""
