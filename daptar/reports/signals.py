"""What other apps may follow in a report's life, without the reports app knowing them.

Each is sent inside the transaction of the change, with `report`: a receiver's writes
(the social posts a publication queues, say) commit or roll back with it.
"""

from django.dispatch import Signal

published = Signal()
withdrawn = Signal()
