"""labreview: the terminal app for a quarterly Lab/Factory portfolio review."""

__version__ = "0.1.0"
