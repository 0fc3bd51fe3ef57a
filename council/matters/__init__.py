"""The matters area: the spine of the six-step procedure. A matter (议题) is one record from the
first worry to the closing evaluation; its moves follow council.procedure."""
