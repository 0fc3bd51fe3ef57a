"""The demo's story, one module per step of the procedure (council/demo.py tells them in order)."""
