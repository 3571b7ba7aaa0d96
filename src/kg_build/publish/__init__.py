"""Stage 5: serialise the graphs deterministically and write them atomically."""
