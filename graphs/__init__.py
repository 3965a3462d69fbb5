"""The channel-neutral brain: question answering, the assessment interview, the rubric, digests."""
