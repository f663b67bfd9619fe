"""The task filter's plan as a Firestore query over the queue, newest first.

Firestore runs the state set and the creation range: with the order on ``createdAt`` they
are served by the composite index (status, createdAt desc), or by ``createdAt``'s own index
without a state. ``attempts > 0`` next to a ``createdAt`` order would need an index of its
own, and Firestore has no substring search, so those two stay with the residual predicate,
checked on each document read.
"""

from __future__ import annotations

from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from parking_desk.services.store.firestore.docs import QUEUE
from parking_desk.task_filter import Condition, FilterPlan

FIRESTORE_RUNS = frozenset({Condition.STATES, Condition.CREATED})


def plan_query(db: Any, plan: FilterPlan) -> Any:
    q: Any = db.collection(QUEUE)
    if len(plan.states) == 1:
        q = q.where(filter=FieldFilter("status", "==", plan.states[0]))
    elif plan.states:
        q = q.where(filter=FieldFilter("status", "in", list(plan.states)))
    if plan.created_from is not None:
        q = q.where(filter=FieldFilter("createdAt", ">=", plan.created_from))
    if plan.created_to is not None:
        q = q.where(filter=FieldFilter("createdAt", "<", plan.created_to))
    # Index: emailQueue (status ASC, createdAt DESC) when states are given.
    return q.order_by("createdAt", direction=firestore.Query.DESCENDING)
