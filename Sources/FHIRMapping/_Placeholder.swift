enum _FHIRMappingPlaceholder {}
