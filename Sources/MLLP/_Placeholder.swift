enum _MLLPPlaceholder {}
