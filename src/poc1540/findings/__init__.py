"""The findings stage: merge every notebook's findings into DVC metrics, report variables and generated report sections."""
