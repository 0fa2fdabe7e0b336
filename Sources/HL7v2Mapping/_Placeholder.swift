enum _HL7v2MappingPlaceholder {}
