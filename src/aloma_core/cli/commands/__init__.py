"""One module per command group of `aloma`; main.py assembles them."""
