"""Benchmark scripts (they print figures; they are not tests). See bench/README.md."""
