// ChartRender module.
