"""Demo data: the small demo network (`network`) and the synthetic national network at
scale (`synthetic`).
"""
