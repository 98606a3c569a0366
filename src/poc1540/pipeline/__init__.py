"""Running the stages: execute a notebook with papermill, export executed notebooks as HTML."""
