"""What is learned from runs: summaries and figures."""
