"""One module per finding of the security review (issue 13): each shows the attack failing."""
