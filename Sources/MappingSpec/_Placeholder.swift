enum _MappingSpecPlaceholder {}
