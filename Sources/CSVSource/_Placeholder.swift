enum _CSVSourcePlaceholder {}
