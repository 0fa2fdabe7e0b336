enum _HL7v2Placeholder {}
