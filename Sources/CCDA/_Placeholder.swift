enum _CCDAPlaceholder {}
