"""Pages of online delivery: the candidate's (`candidate`) and the office's (`office`)."""
