"""Stage 8: `kg serve`: SPARQL 1.1 Protocol, canned queries as a web API, dereferenceable IRIs."""
