"""Stage 1: read the curated fact files into typed records, keeping where each came from."""
