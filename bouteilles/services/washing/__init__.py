"""The washing site: batches (open, inputs, close) and its receiving and sorting."""
