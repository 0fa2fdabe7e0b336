enum _PipelinePlaceholder {}
