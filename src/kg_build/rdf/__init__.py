"""Stage 2: curated records -> RDF with stable IRIs, and the dataset's own description."""
