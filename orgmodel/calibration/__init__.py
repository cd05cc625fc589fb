"""Calibration to a company's own data: summary targets, the simulation fit and its outputs."""
