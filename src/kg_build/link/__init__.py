"""Linking with other datasets: official division codes, Wikidata items; checks and suggestions."""
