"""The works area (办 and 评): tasks, progress, acceptance, household satisfaction."""
