"""The practice's world: patients with timelines, visits, lesion truth, coding with the
practice's habits as errors, documentation and front desk: the claims the practice sends.

Nothing here decides a denial (that is synthetic_data.rules + adjudicate).
"""
