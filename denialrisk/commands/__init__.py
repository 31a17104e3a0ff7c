"""The commands of the `denialrisk` CLI, grouped by the stage of the pipeline they run."""
