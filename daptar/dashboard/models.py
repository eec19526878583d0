"""The dashboard keeps no table of its own.

Every figure is counted when the page is asked for, by one GROUP BY per source table
(deliveries, submissions, invitations, reports, review steps, units) over the shown
unit's path range, grouped by the branch one level down. The sources already carry
the denormalised `unit_path` and the indexes these ranges need, so at full scale the
central dashboard stays within its budget (see bench/dashboard.py) without a summary
table that every other app's actions would have to keep current.
"""
