"""The answering flow: the QA graph, the offline composer, conversation memory, coverage."""
