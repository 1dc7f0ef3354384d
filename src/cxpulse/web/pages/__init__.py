"""HTML pages, one module per page type, each exposing ``router``."""
