"""What people read: the wording of promises and targets in Hebrew and English,
the message catalogues, and the escapers every output's user text goes through.
"""
