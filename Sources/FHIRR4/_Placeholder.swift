enum _FHIRR4Placeholder {}
