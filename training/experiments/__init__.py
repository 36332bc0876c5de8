"""Experiments that did not ship: kept to be rerun and for the model card's account of them,
outside what the site runs and what CI's smoke run checks."""
