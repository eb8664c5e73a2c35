"""The foundation every stage stands on: records, errors, settings, the offline switch, the text toolkit and
its lexicons, the embedder seam and access group names. It imports nothing of ours outside itself."""
