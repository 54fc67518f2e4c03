"""The QuickJS sandbox: step module evaluation at upload, and content runs with limits."""
