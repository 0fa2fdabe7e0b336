enum _TerminologyPlaceholder {}
