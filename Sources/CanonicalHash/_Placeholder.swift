enum _CanonicalHashPlaceholder {}
