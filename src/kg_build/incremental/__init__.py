"""Building on the last release: what it read, what it made, what a change can affect."""
